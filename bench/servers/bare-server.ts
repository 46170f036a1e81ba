// The yardstick for the webhook path: Fastify with the same form-body parser and nothing else,
// answering every POST with a constant TwiML document of the same kind as an IVR menu.
import Fastify from "fastify";
import formbody from "@fastify/formbody";
import { serveYardstick, yardstickTwiml } from "../lib/yardstick.js";

const TWIML = yardstickTwiml("bare");

const app = Fastify({ logger: false });
await app.register(formbody);
app.post("/twilio/ivr", async (_request, reply) => reply.type("text/xml").send(TWIML));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });

serveYardstick(Number(process.env.PORT), () => app.close());
