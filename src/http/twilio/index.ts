import type { FastifyInstance } from "fastify";
import formbody from "@fastify/formbody";
import type { Services } from "../../services.js";
import { verifySignature } from "./verify-signature.js";
import { voiceRoutes } from "./voice-routes.js";
import { statusRoutes } from "./status-routes.js";
import { queueRoutes } from "./queue-routes.js";
import { agentLegRoutes } from "./agent-leg-routes.js";
import { callbackLegRoutes } from "./callback-leg-routes.js";
import { transferLegRoutes } from "./transfer-leg-routes.js";
import { conferenceRoutes } from "./conference-routes.js";
import { textStatusRoutes } from "./text-status-routes.js";
import { fallbackRoutes } from "./fallback-routes.js";
import { recordingRoutes } from "./recording-routes.js";
import { recordWebhooks, safeTwimlOnError } from "./webhook-trail.js";

/** Everything Twilio calls: signed form posts in, TwiML out. */
export async function twilioRoutes(app: FastifyInstance, s: Services): Promise<void> {
  await app.register(formbody);
  // Before validation: an unsigned request is refused whatever it holds, and the signature is checked
  // over the parameters as Twilio sent them (validation fills in defaults).
  app.addHook("preValidation", verifySignature(s));
  recordWebhooks(app, s);
  safeTwimlOnError(app, s);
  voiceRoutes(app, s);
  statusRoutes(app, s);
  queueRoutes(app, s);
  agentLegRoutes(app, s);
  callbackLegRoutes(app, s);
  transferLegRoutes(app, s);
  conferenceRoutes(app, s);
  textStatusRoutes(app, s);
  fallbackRoutes(app, s);
  recordingRoutes(app, s);
}
