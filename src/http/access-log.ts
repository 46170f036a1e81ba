import { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import pino from "pino";
import type { Logger } from "../logger.js";
import { scrubPhoneNumbers } from "../log-scrub.js";

/**
 * One log line per request, written once it is answered. Fastify's default writes two (arrival and
 * completion), which on the webhook path cost as much as the signature check and the database write.
 * The path is logged without its query: a line per request must not depend on what a query may carry.
 */
export class AccessLog extends LogController {
  /**
   * The line is written straight to the logger's destination, serialized here: its fields are known, so
   * pino's generic serializing, its redaction pass and the scrubber's pass over the whole line are not
   * needed (about 2 µs a line in the server: bench/README.md, eighth pass). Only the path can hold what a client chose to send: it is scrubbed on its own. The call
   * SID is set only for a signed webhook whose body passed its schema (CA and 32 hex digits). Error lines
   * carry an error, which may hold anything: they go through the request's logger, redacted and scrubbed.
   */
  private readonly stream: pino.DestinationStream;
  /** What the logger adds to every line after its time (its base and bindings: `,"service":"hotline"`). */
  private readonly bindings: string;

  constructor(private readonly log: Logger) {
    super();
    const internals = log as unknown as Record<symbol, unknown>;
    this.stream = internals[pino.symbols.streamSym] as pino.DestinationStream;
    this.bindings = String(internals[pino.symbols.chindingsSym] ?? "");
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ method: request.method, path: pathOf(request.url), status: reply.statusCode, ms: elapsedMs(reply), callSid: request.twilioCallSid, err: error }, "request errored");
      return;
    }
    if (!this.log.isLevelEnabled("info")) return;
    // pino's own line for `info({reqId, method, path, status, ms, callSid}, "request")`, field for field.
    const callSid = request.twilioCallSid === undefined ? "" : `,"callSid":${JSON.stringify(request.twilioCallSid)}`;
    this.stream.write(
      `{"level":${INFO},"time":${Date.now()}${this.bindings},"reqId":${JSON.stringify(request.id)},"method":${JSON.stringify(request.method)},"path":${JSON.stringify(scrubPhoneNumbers(pathOf(request.url)))},"status":${reply.statusCode},"ms":${elapsedMs(reply)}${callSid},"msg":"request"}\n`,
    );
  }
}

const INFO = pino.levels.values.info;

const elapsedMs = (reply: FastifyReply) => Math.round(reply.elapsedTime * 10) / 10;

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
