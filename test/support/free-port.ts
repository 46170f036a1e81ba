// One helper for tests and benches: a loopback port nobody listens on now.
export { freePort } from "../../bench/lib/net.js";
