// The yardstick for the webhook path: Fastify with the same form-body parser and nothing else,
// answering every POST with a constant TwiML document of the same kind as an IVR menu.
import Fastify from "fastify";
import formbody from "@fastify/formbody";
import { serveYardstick } from "../lib/child.js";

const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="6" ' +
  'action="http://127.0.0.1/twilio/ivr?node=main-menu&amp;attempt=0" method="POST" actionOnEmptyResult="true">' +
  '<Say voice="Google.th-TH-Standard-A" language="th-TH">bare</Say></Gather>' +
  '<Redirect method="POST">http://127.0.0.1/twilio/ivr?node=main-menu&amp;attempt=0</Redirect></Response>';

const app = Fastify({ logger: false });
await app.register(formbody);
app.post("/twilio/ivr", async (_request, reply) => reply.type("text/xml").send(TWIML));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });

serveYardstick(Number(process.env.PORT), () => app.close());
