// Issue 16's floor: a standalone server doing only what a durable IVR step must — parse the form, check
// the HMAC-SHA1 signature, one conditional UPDATE of the call and the trail's INSERT inside a group commit
// (one transaction per turn of the event loop, answered once it has committed), and a constant answer. It
// works on the hotline's own database file (DB_FILE: WAL, its own connection) on calls nobody else steps.
// Shown beside the IVR step as context: the goal is held against the bare route.
import Database from "better-sqlite3";
import Fastify from "fastify";
import formbody from "@fastify/formbody";
import { SIMULATOR_AUTH_TOKEN } from "../../src/simulator-credentials.js";
import { isValidTwilioSignature } from "../../src/telephony/signature.js";
import { serveYardstick, yardstickTwiml } from "../lib/yardstick.js";

const TWIML = yardstickTwiml("floor");

/** The URL the requests were signed for (the hotline's): the same text is signed, at the same cost. */
const SIGNED_BASE_URL = process.env.SIGNED_BASE_URL!;
const db = new Database(process.env.DB_FILE!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
const begin = db.prepare("BEGIN IMMEDIATE");
const commit = db.prepare("COMMIT");
// From the language menu to another node and back, so the calls set aside for it can be stepped again and
// again: every request still finds its call where the condition wants it and writes.
const step = db.prepare(
  "update calls set ivr_node = iif(ivr_node = 'language-menu', 'floor-menu', 'language-menu'), ivr_retries = 0, language = ? where sid = ? and state = 'ivr' and ivr_node in ('language-menu', 'floor-menu') and ivr_retries = 0",
);
const trail = db.prepare("insert into events (at, type, call_sid, data) values (?, 'webhook', ?, ?)");

let waiting: Array<() => void> = [];
const commitGroup = () => {
  commit.run();
  const answers = waiting;
  waiting = [];
  for (const answer of answers) answer();
};

const app = Fastify({ logger: false });
await app.register(formbody);
app.post("/twilio/ivr", (request, reply) => {
  const params = request.body as Record<string, string>;
  const given = request.headers["x-twilio-signature"];
  if (!isValidTwilioSignature(SIMULATOR_AUTH_TOKEN, typeof given === "string" ? given : undefined, `${SIGNED_BASE_URL}${request.url}`, params)) return reply.code(403).send();
  if (waiting.length === 0) {
    begin.run();
    setImmediate(commitGroup);
  }
  step.run(params.Digits ?? "", params.CallSid ?? "");
  trail.run(Date.now(), params.CallSid ?? "", JSON.stringify({ path: "/twilio/ivr", status: 200 }));
  waiting.push(() => void reply.type("text/xml").send(TWIML));
  return reply;
});
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });

serveYardstick(Number(process.env.PORT), async () => {
  await app.close();
  db.close();
});
