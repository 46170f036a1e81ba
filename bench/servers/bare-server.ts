// The yardstick for the webhook path: Fastify with the same form-body parser and nothing else,
// answering every POST with a constant TwiML document of the same kind as an IVR menu.
import Fastify from "fastify";
import formbody from "@fastify/formbody";
import { onParent, tell } from "../lib/child.js";

const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="6" ' +
  'action="http://127.0.0.1/twilio/ivr?node=main-menu&amp;attempt=0" method="POST" actionOnEmptyResult="true">' +
  '<Say voice="Google.th-TH-Standard-A" language="th-TH">bare</Say></Gather>' +
  '<Redirect method="POST">http://127.0.0.1/twilio/ivr?node=main-menu&amp;attempt=0</Redirect></Response>';

const app = Fastify({ logger: false });
await app.register(formbody);
app.post("/twilio/ivr", async (_request, reply) => reply.type("text/xml").send(TWIML));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });

onParent(async (m) => {
  if (m.type === "stats") {
    const cpu = process.cpuUsage();
    tell({ type: "stats", cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  if (m.type === "stop") {
    await app.close();
    process.exit(0);
  }
});
tell({ type: "ready", url: `http://127.0.0.1:${process.env.PORT}` });
