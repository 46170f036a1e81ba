import WebSocket from "ws";
import { serverMessageSchema } from "../../src/realtime/messages.js";
import { ManualClock } from "../../src/clock.js";
import type { AnswerMode, Carrier, SimCall } from "../../src/carrier/index.js";
import type { Logger } from "../../src/logger.js";
import { carrierFor } from "./child-server.js";
import { WAIT_BOUND_MS } from "./bounded.js";
import { jsonApi } from "./json-api.js";
import { freePort, startHotline, TEST_ADMIN_TOKEN, type Running } from "./hotline-fixture.js";

export interface AgentHandle {
  id: string;
  token: string;
  endpoint: string;
  socket: AgentSocket;
}

type Message = Record<string, unknown> & { type: string };

/** A WebSocket client that keeps every message, and can wait for one by type. */
export class AgentSocket {
  readonly messages: Message[] = [];
  private waiters: Array<{ test: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  closeCode: number | undefined;
  closeReason: string | undefined;
  /** Resolves with the close code once the socket is closed, by either side. */
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (raw) => {
      // Every message the server sends must match the schema the pages validate with.
      const m = serverMessageSchema.parse(JSON.parse(raw.toString())) as Message;
      this.messages.push(m);
      for (const w of [...this.waiters]) {
        if (w.test(m)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(m);
        }
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      }),
    );
  }

  static open(url: string, token?: string): Promise<AgentSocket> {
    const ws = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const socket = new AgentSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(socket));
      ws.once("error", reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  of(type: string) {
    return this.messages.filter((m) => m.type === type);
  }

  /** The next (or an already received, unconsumed-by-index) message of a type. Event-driven, no sleeps. */
  next(type: string, test: (m: Record<string, unknown>) => boolean = () => true, after = 0): Promise<Message> {
    return this.nextMatching((m) => m.type === type && test(m), `"${type}"`, after);
  }

  /** Sets the agent's status and waits for the server's ack: the change has committed when it resolves. */
  async setStatus(status: string): Promise<void> {
    const after = this.messages.length;
    this.send({ type: "status", status });
    const reply = await this.nextMatching((m) => (m.type === "ack" && m.of === "status") || m.type === "error", "status ack", after);
    if (reply.type === "error") throw new Error(`status ${status} refused: ${JSON.stringify(reply)}`);
  }

  private nextMatching(test: (m: Message) => boolean, what: string, after: number): Promise<Message> {
    const seen = this.messages.slice(after).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      // A bound, not a speed goal: a message that never comes fails the test with what did come instead.
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const last = this.messages.slice(-8).map((m) => m.type).join(", ");
        reject(new Error(`no ${what} message within ${WAIT_BOUND_MS / 1000} s; the last ones were: ${last || "none"}`));
      }, WAIT_BOUND_MS);
      const waiter = {
        test,
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

export interface CallCenter extends Running {
  carrier: Carrier;
  /** Lets every webhook, REST request and server task finish: the tests' only way to wait. */
  settle(): Promise<void>;
  api(method: string, path: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  addAgent(name: string, languages: string[], opts?: { mode?: AnswerMode; available?: boolean; endpoint?: string }): Promise<AgentHandle>;
  /** Places a call and walks the IVR with the given keys (language, then topic). */
  callIn(from: string, keys: string[]): Promise<SimCall>;
  stopAll(): Promise<void>;
}

let agentCounter = 0;


/**
 * The hotline and the built-in carrier, wired together on loopback and sharing a manual clock. With
 * `twilioAccount` the server runs in twilio mode against the carrier, as it would against a real account.
 */
export async function startCallCenter(
  env: Record<string, string> = {},
  opts: { dir?: string; clock?: ManualClock; twilioAccount?: { accountSid: string; authToken: string }; log?: Logger } = {},
): Promise<CallCenter> {
  const clock = opts.clock ?? new ManualClock();
  const port = await freePort();
  const { carrier, origin, base } = await carrierFor(port, clock, opts.twilioAccount);
  const account: Record<string, string> = opts.twilioAccount ? { TWILIO_ACCOUNT_SID: opts.twilioAccount.accountSid, TWILIO_AUTH_TOKEN: opts.twilioAccount.authToken } : {};
  const running = await startHotline({ TWILIO_API_BASE_URL: origin, PUBLIC_BASE_URL: base, ...account, ...env }, { clock, port, dir: opts.dir, log: opts.log });
  const sockets: AgentSocket[] = [];
  // The hotline the center runs now: a test that restarts the server puts the new one in its place.
  const settle = () => carrier.idle(() => center.hotline.idle());

  const call = jsonApi(base, TEST_ADMIN_TOKEN);
  const api: CallCenter["api"] = (method, path, o = {}) => call(method, path, o.body, o.token);

  const center: CallCenter = {
    ...running,
    carrier,
    settle,
    api,
    async addAgent(name, languages, o = {}) {
      agentCounter += 1;
      const endpoint = o.endpoint ?? `client:agent${agentCounter}`;
      carrier.endpoint(endpoint).setMode(o.mode ?? "manual");
      const created = await api("POST", "/api/agents", { body: { name, languages, endpoint } });
      if (created.status !== 201) throw new Error(`agent not created: ${JSON.stringify(created.body)}`);
      const socket = await AgentSocket.open(`${base.replace("http", "ws")}/ws`, created.body.token);
      sockets.push(socket);
      await socket.next("hello");
      if (o.available !== false) {
        await socket.setStatus("available");
        await settle();
      }
      return { id: created.body.id, token: created.body.token, endpoint, socket };
    },
    async callIn(from, keys) {
      const call = carrier.placeCall({ from });
      await settle();
      for (const key of keys) {
        await call.waitFor("gather");
        call.press(key);
        await settle();
      }
      return call;
    },
    async stopAll() {
      await Promise.all(sockets.map((s) => s.close()));
      await running.stop();
      await carrier.close();
    },
  };
  return center;
}
