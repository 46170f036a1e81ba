import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * One log line per request, written once it is answered. Fastify's default writes two (arrival and
 * completion), which on the webhook path cost as much as the signature check and the database write.
 * The path is logged without its query: a line per request must not depend on what a query may carry.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      path: request.url.split("?", 1)[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      callSid: request.twilioCallSid,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request");
  }
}
