import { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "../logger.js";

/**
 * One log line per request, written once it is answered. Fastify's default writes two (arrival and
 * completion), which on the webhook path cost as much as the signature check and the database write.
 * The path is logged without its query: a line per request must not depend on what a query may carry.
 */
export class AccessLog extends LogController {
  /**
   * The line's fields are known and none holds personal data, so it skips pino's redaction pass (about
   * 6 µs a line, as much as the rest of the line); the scrubber still reads it (src/logger.ts). Error
   * lines carry an error, which may hold anything: they go through the request's logger, redacted.
   */
  private readonly known: Logger;

  constructor(log: Logger) {
    super();
    this.known = log.child({}, { redact: { paths: [], censor: "" } });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ method: request.method, path: pathOf(request.url), status: reply.statusCode, ms: elapsedMs(reply), callSid: request.twilioCallSid, err: error }, "request errored");
      return;
    }
    if (!this.known.isLevelEnabled("info")) return;
    this.known.info({ reqId: request.id, method: request.method, path: pathOf(request.url), status: reply.statusCode, ms: elapsedMs(reply), callSid: request.twilioCallSid }, "request");
  }
}

const elapsedMs = (reply: FastifyReply) => Math.round(reply.elapsedTime * 10) / 10;

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
