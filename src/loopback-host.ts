import { isIPv4 } from "node:net";

/**
 * Whether a host name or address only ever reaches this machine: 127.0.0.0/8, localhost or ::1
 * (bracketed as in URLs or bare as in HOST). Decides what may run without TLS or authentication.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return isIPv4(h) && h.startsWith("127.");
}
