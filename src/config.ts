import { z } from "zod";
import { isLoopbackHost } from "./loopback-host.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from "./simulator-credentials.js";

/** Intl knows every IANA zone of the runtime's time-zone data and throws on anything else. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const port = z.coerce.number().int().min(0).max(65535);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

export const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DB_FILE: z.string().min(1).default("./data/hotline.db"),
  /**
   * How long a write waits for a database held by another writer (a backup, a stuck disk) before the
   * webhook gives the caller an apology instead: well inside the 15 s after which Twilio gives up.
   */
  DB_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(10_000).default(5_000),
  /** Run on PostgreSQL instead of SQLite: accepted here, refused at start until the domain runs on it (src/hotline.ts). */
  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" }).optional()),
  PUBLIC_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  TELEPHONY: optionalText.pipe(z.enum(["twilio", "simulator"]).optional()),
  TWILIO_ACCOUNT_SID: optionalText.pipe(z.string().regex(/^AC[0-9a-fA-F]{32}$/, "must be AC followed by 32 hex digits").optional()),
  TWILIO_AUTH_TOKEN: optionalText,
  /** An API key (SK…) and its secret sign the agents' browser-phone access tokens; optional. */
  TWILIO_API_KEY_SID: optionalText.pipe(z.string().regex(/^SK[0-9a-fA-F]{32}$/, "must be SK followed by 32 hex digits").optional()),
  TWILIO_API_KEY_SECRET: optionalText,
  TWILIO_API_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://api.twilio.com"),
  HOTLINE_NUMBER: optionalText.pipe(z.string().regex(/^\+[1-9]\d{1,14}$/, "must be an E.164 number like +6621234567").optional()),
  LINES: z.coerce.number().int().min(1).max(10000).default(30),
  ADMIN_TOKEN: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // The project's own settings (not in the contract): documented in .env.example.
  OVERFLOW_MODE: z.enum(["reject", "message"]).default("reject"),
  FLOWS_DIR: z.string().min(1).default("./voice-flows"),
  SIMULATOR_PORT: port.optional(),
  OFFER_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(120).default(20),
  WRAP_UP_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  QUEUE_ANNOUNCE_SECONDS: z.coerce.number().int().min(10).max(600).default(30),
  QUEUE_CALLBACK_KEY: z.string().regex(/^[0-9*#]$/).default("1"),
  AVERAGE_HANDLE_SECONDS: z.coerce.number().int().min(30).max(7200).default(300),
  RECONCILE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  SERVICE_LEVEL_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
  /** The share of callers to answer within SERVICE_LEVEL_SECONDS that the staffing forecast plans for. */
  SERVICE_LEVEL_TARGET: z.coerce.number().gt(0).lt(1).default(0.8),
  /** Weeks of past calls the staffing forecast learns arrivals, handle times and patience from. */
  STAFFING_HISTORY_WEEKS: z.coerce.number().int().min(1).max(52).default(8),
  /** The hotline's time zone: report hours and days, and the forecast's "same hour", are its local ones. */
  TIMEZONE: z.string().min(1).default("Asia/Bangkok").refine(isTimeZone, "must be an IANA time zone such as Asia/Bangkok"),
  CALLBACK_SLA_EMERGENCY_MINUTES: z.coerce.number().int().min(1).max(10_080).default(15),
  CALLBACK_SLA_NORMAL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(120),
  /** Hours an agency has to act on a referral before it shows as overdue on the wallboard. */
  REFERRAL_DUE_HOURS: z.coerce.number().int().min(1).max(2_160).default(72),
  /**
   * Topics whose missed callers get one text message ("1300: we missed your call and will call you back").
   * Not violence or trafficking by default: the phone may be watched. `unknown` allows callers who hung up
   * before choosing a topic; an empty list sends none.
   */
  SMS_TOPICS: z
    .string()
    .regex(/^((violence|trafficking|pregnancy|child_labour|other|emergency|unknown)(,(violence|trafficking|pregnancy|child_labour|other|emergency|unknown))*)?$/, "comma-separated topics (violence, trafficking, pregnancy, child_labour, other, emergency, unknown), or empty for none")
    .default("pregnancy,child_labour,other")
    .transform((v) => (v ? v.split(",") : [])),
  /** The longest take of a prompt recorded by phone (<Record maxLength>); uploads have the same 60 s cap. */
  RECORDING_MAX_SECONDS: z.coerce.number().int().min(5).max(60).default(60),
  /** Days callers' personal data is kept before it is anonymised (PDPA: no longer than needed). */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(365),
  /**
   * The key of the keyed hash that replaces numbers when they are anonymised. Kept apart from the
   * database, it makes the hashes useless to someone who has only the data; when unset, one is made at
   * first start and stored in the database (repeat callers still count, but the protection is weaker).
   */
  PSEUDONYM_KEY: optionalText.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  /** Minutes between callback attempts: "120,720" means 3 tries, the last 14 hours after the first. */
  CALLBACK_RETRY_MINUTES: z
    .string()
    .regex(/^\d+(,\d+)*$/, "a comma-separated list of minutes, e.g. 120,720")
    .default("120,720")
    .transform((v) => v.split(",").map(Number)),
  /** A REST request to the carrier that takes longer is abandoned and retried (webhooks never wait on it). */
  TWILIO_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(10_000),
  CALLBACK_CLAIM_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /**
   * After SIGTERM, how long /health answers 503 while requests are still served, before the server stops
   * taking connections: long enough for a balancer's health checks to notice and send elsewhere.
   */
  DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
  /**
   * Twilio's webhook connection overrides, handed to Twilio as a fragment on every URL it calls
   * (src/telephony/connection-overrides.ts); ranges as Twilio documents them. A connection refused
   * while an instance restarts is retried at once instead of failing the caller's next step.
   */
  WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(1_000),
  WEBHOOK_READ_TIMEOUT_MS: z.coerce.number().int().min(100).max(15_000).default(10_000),
  WEBHOOK_TOTAL_TIMEOUT_MS: z.coerce.number().int().min(100).max(15_000).default(12_000),
  WEBHOOK_RETRY_COUNT: z.coerce.number().int().min(0).max(5).default(3),
  WEBHOOK_RETRY_POLICY: z
    .string()
    .regex(/^(ct|rt|4xx|5xx|all)(,(ct|rt|4xx|5xx|all))*$/, "a comma-separated list of ct, rt, 4xx, 5xx, all, e.g. ct,5xx")
    .default("ct,5xx"),
  /** Tokens older than this are refused (401 token_expired); unset, tokens last until rotated. */
  TOKEN_TTL_DAYS: optionalText.pipe(z.coerce.number<string | undefined>().int().min(1).max(3650).optional()),
  /** Audit events (who read which caller's data) older than this are deleted by a daily job. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(730),
  /**
   * A request whose headers and body have not all arrived by then gets 408, and an idle connection is
   * closed: slow senders cannot hold sockets open. Both well inside the 15 s after which Twilio gives up.
   */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(14_000).default(10_000),
  HTTP_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(14_000).default(10_000),
  /** How long an idle keep-alive connection is kept for the next request (Twilio reuses them). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(14_000).default(5_000),
  /** WebSockets still waiting for their auth message, server-wide: more are closed with 4429. */
  WS_MAX_UNAUTHENTICATED: z.coerce.number().int().min(1).max(10_000).default(50),
  /** WebSockets one user may hold open (desktop tabs, a wallboard): more are closed with 4409. */
  WS_MAX_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
  /** Dispositions one socket may send per minute; more get an error and change nothing. */
  DISPOSITIONS_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(10),
  /** The bearer token Prometheus scrapes GET /metrics with; unset, the server has no /metrics. */
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Omit<Env, "PUBLIC_BASE_URL" | "TELEPHONY"> {
  PUBLIC_BASE_URL: string;
  TELEPHONY: "twilio" | "simulator";
  /** The token that signs webhooks; the simulator signs with a fixed local one. */
  TWILIO_AUTH_TOKEN: string | undefined;
}

export class ConfigError extends Error {}

/** The built-in carrier's port: SIMULATOR_PORT, else the one after PORT. The server and scripts/call.ts both ask here. */
export function simulatorPort(env: Pick<Env, "PORT" | "SIMULATOR_PORT">): number {
  return env.SIMULATOR_PORT ?? env.PORT + 1;
}

/** Reads the environment once; every bad variable is named in one message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }
  const data = parsed.success ? parsed.data : undefined;
  const telephony = data ? (data.TELEPHONY ?? (data.TWILIO_ACCOUNT_SID ? "twilio" : "simulator")) : undefined;
  if (data && telephony === "twilio") problems.push(...twilioModeProblems(data));
  // The built-in carrier answers anyone without a password: it faces a network only when asked for by name.
  if (data && telephony === "simulator" && !data.TELEPHONY && !isLoopbackHost(data.HOST)) {
    problems.push(`HOST: ${data.HOST} is not a loopback address; set TELEPHONY=simulator to run the unauthenticated carrier simulator on it, or TELEPHONY=twilio`);
  }
  if (problems.length > 0 || !data || !telephony) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return {
    ...data,
    TELEPHONY: telephony,
    PUBLIC_BASE_URL: (data.PUBLIC_BASE_URL ?? `http://localhost:${data.PORT}`).replace(/\/+$/, ""),
  };
}

/** What a real Twilio account needs: its own credentials, and an origin Twilio can reach over TLS. */
function twilioModeProblems(data: Env): string[] {
  const problems: string[] = [];
  if (!data.TWILIO_ACCOUNT_SID) problems.push("TWILIO_ACCOUNT_SID: required when TELEPHONY=twilio");
  else if (data.TWILIO_ACCOUNT_SID === SIMULATOR_ACCOUNT_SID) problems.push("TWILIO_ACCOUNT_SID: the carrier simulator's account is never accepted when TELEPHONY=twilio");
  if (!data.TWILIO_AUTH_TOKEN) problems.push("TWILIO_AUTH_TOKEN: required when TELEPHONY=twilio");
  else if (data.TWILIO_AUTH_TOKEN === SIMULATOR_AUTH_TOKEN) problems.push("TWILIO_AUTH_TOKEN: the carrier simulator's token is never accepted when TELEPHONY=twilio");
  // Signatures are checked against this origin and every callback URL is built from it: a default of
  // localhost would fail every signature and hand Twilio URLs it cannot reach.
  if (!data.PUBLIC_BASE_URL) {
    problems.push("PUBLIC_BASE_URL: required when TELEPHONY=twilio (the https:// origin Twilio reaches this server at)");
  } else {
    const url = new URL(data.PUBLIC_BASE_URL);
    if (url.protocol !== "https:" && !isLoopbackHost(url.hostname)) {
      problems.push("PUBLIC_BASE_URL: must be https:// when TELEPHONY=twilio (plain http:// only for a loopback host such as 127.0.0.1)");
    }
  }
  return problems;
}
