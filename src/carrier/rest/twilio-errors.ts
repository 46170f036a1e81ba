/** A REST failure in Twilio's JSON error shape: {code, message, more_info, status}. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

export const notFound = (path: string) => new RestError(404, 20404, `The requested resource ${path} was not found`);
export const unauthorized = () => new RestError(401, 20003, "Authenticate");

/** The generic Twilio code for an HTTP status, used by injected failures. */
export function errorForStatus(status: number): RestError {
  const messages: Record<number, string> = { 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };
  return new RestError(status, 20000 + status, messages[status] ?? "Error");
}
