/** A case, agency or referral request the domain refuses; the HTTP edge maps the code to a status. */
export class CaseError extends Error {
  constructor(
    readonly code: "invalid" | "not_found" | "forbidden" | "conflict",
    message: string,
  ) {
    super(message);
  }
}
