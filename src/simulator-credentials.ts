/**
 * The built-in carrier's fixed local account: only ever used between this server and the simulator.
 * Kept apart from the hotline's wiring so configuration can refuse them in twilio mode without a cycle.
 */
export const SIMULATOR_ACCOUNT_SID = `AC${"0".repeat(32)}`;
export const SIMULATOR_AUTH_TOKEN = "simulator-auth-token";

/** The simulator's caller ID when HOTLINE_NUMBER is not set. */
export const SIMULATOR_HOTLINE_NUMBER = "+6621300000";
