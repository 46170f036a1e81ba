/** A call on the hotline's JSON API: the answer's status, and its body parsed when it is JSON (else its text). */
export type JsonApi = (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: any }>;

/** The server at `baseUrl`'s JSON API, as the admin (`adminToken`) unless a call names another token. */
export function jsonApi(baseUrl: string, adminToken: string): JsonApi {
  return async (method, path, body, token = adminToken) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* CSV and other text stay text */
    }
    return { status: res.status, body: parsed };
  };
}
