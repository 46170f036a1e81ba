import type { FastifyError, FastifyInstance, FastifySchemaCompiler } from "fastify";
import { ZodError, ZodType } from "zod";

/** A failure the client can act on: mapped to {error, message} with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, "bad_request", message);
export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);
export const conflict = (message: string) => new HttpError(409, "conflict", message);

export function zodMessage(error: ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}

/**
 * Routes declare their zod schemas (`schema: {body, querystring, params}`), which also describe them in
 * /docs: the one way a request is parsed. A mismatch is the client's error: 400 bad_request with the reason.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> = ({ schema, url, httpPart }) => {
  if (!(schema instanceof ZodType)) throw new Error(`${url}: the ${httpPart ?? "request"} schema must be a zod schema`);
  return (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: badRequest(zodMessage(result.error)) };
  };
};

/** One mapping from errors to HTTP answers for the whole server. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError | Error, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.status).send({ error: err.code, message: err.message });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.status(status).send({ error: status === 415 ? "unsupported_media_type" : "bad_request", message: err.message });
    }
    request.log.error({ err }, "request failed");
    return reply.status(500).send({ error: "internal", message: "internal error" });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` });
  });
}
