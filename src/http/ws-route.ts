import type { FastifyInstance } from "fastify";
import websocket from "@fastify/websocket";
import type { WebSocket } from "ws";
import { chooseStatus, findAgent, PresenceError } from "../agents/presence.js";
import { recordDisposition } from "../calls/disposition.js";
import { inTransaction } from "../events/event-log.js";
import { clientMessageSchema, type ClientMessage, type ServerMessage } from "../realtime/messages.js";
import type { RealtimeHub } from "../realtime/hub.js";
import type { Services } from "../services.js";
import type { UserRow } from "../users/user-store.js";
import { admitToken } from "../users/access.js";
import { bearerToken } from "./auth.js";
import { zodMessage } from "./errors.js";
import { CLOSE_CODES, SocketLimits } from "./socket-limits.js";
import { MessageRate } from "../realtime/message-rate.js";

const AUTH_WAIT_MS = 10_000;
const HEARTBEAT_MS = 30_000;
const UNAUTHORIZED = CLOSE_CODES.unauthorized;
/** RFC 6455 "service restart": the server goes away and the client should connect again. */
const SERVICE_RESTART = 1012;
/** RFC 6455 "internal error": the server could not go on with this socket. */
const INTERNAL_ERROR = 1011;

function send(socket: WebSocket, message: ServerMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/** What an authenticated client asks; answered on the same socket. */
async function handle(s: Services, user: UserRow, message: ClientMessage, dispositions: MessageRate): Promise<ServerMessage | undefined> {
  switch (message.type) {
    case "ping":
      return { type: "pong" };
    case "auth":
      return { type: "error", error: "already_authenticated", message: "this socket is already signed in" };
    case "status": {
      if (user.role !== "agent") return { type: "error", error: "forbidden", message: "only agents have a status" };
      await inTransaction(s.ctx, async (tx, record) => {
        const agent = await findAgent(tx, user.id);
        if (agent) await chooseStatus(tx, record, agent, message.status, s.ctx.clock.now());
      });
      return { type: "ack", of: "status" };
    }
    case "disposition": {
      if (!dispositions.allow(s.ctx.clock.now())) {
        return { type: "error", error: "rate_limited", message: `at most ${s.config.DISPOSITIONS_PER_MINUTE} dispositions a minute` };
      }
      const result = await recordDisposition(s.ctx, user, message);
      if (!result.ok) return { type: "error", error: "not_found", message: "no such call of yours" };
      if (result.replaced) s.log.info({ callSid: message.callSid, userId: user.id }, "disposition replaced the call's earlier one");
      return { type: "ack", of: "disposition" };
    }
  }
}

/** Tells the page why it goes (it reconnects at once rather than backing off), then closes. */
function sendAway(socket: WebSocket): void {
  send(socket, { type: "reconnect" });
  socket.close(SERVICE_RESTART, "service restart");
}

export async function wsRoute(app: FastifyInstance, s: Services, hub: RealtimeHub): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const open = new Set<WebSocket>();
  const stopListening = s.draining.onStart(() => {
    for (const socket of open) sendAway(socket);
  });
  app.addHook("onClose", async () => stopListening());
  const limits = new SocketLimits(s.config.WS_MAX_UNAUTHENTICATED, s.config.WS_MAX_PER_USER);
  app.get("/ws", { websocket: true }, (socket, request) => {
    // A page that reaches a draining instance is sent on to another one straight away.
    if (s.draining.active) return sendAway(socket);
    // The HTTP idle timeout is for requests; a socket's liveness is the heartbeat's business.
    request.raw.socket.setTimeout(0);
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    let user: UserRow | undefined;
    let leave = () => {};
    let alive = true;
    const dispositions = new MessageRate(s.config.DISPOSITIONS_PER_MINUTE, 60_000);
    // Listeners are attached at once (a message coming before its listener would be lost), and what they
    // do is handled one message at a time, in order: a sign-in reads the database, and the messages after
    // it must find the socket signed in. A failure nothing else answered ends the socket.
    let turn = Promise.resolve();
    const inOrder = (work: () => Promise<void>) => {
      turn = turn.then(work).catch((err: unknown) => {
        request.log.error({ err }, "websocket message failed");
        socket.close(INTERNAL_ERROR, "internal error");
      });
    };
    const signIn = async (token: string | undefined): Promise<void> => {
      const admission = await admitToken(s.ctx, token, s.config.TOKEN_TTL_DAYS, s.log);
      // Closed while the token was being checked: nothing to join, and nothing would ever leave.
      if (socket.readyState !== socket.OPEN) return;
      // The close reason says why, so the page can tell an expired token from a mistyped one.
      if (!admission.ok) {
        socket.close(UNAUTHORIZED, admission.reason);
        return;
      }
      const release = limits.signIn(admission.user.id);
      if (!release) {
        socket.close(CLOSE_CODES.tooManyForUser, "too many connections for this user");
        return;
      }
      user = admission.user;
      const unjoin = hub.join({ user: admission.user, send: (m) => send(socket, m), close: (reason) => socket.close(UNAUTHORIZED, reason) });
      leave = () => {
        unjoin();
        release();
      };
    };
    // A token on the upgrade signs in first (a failure closes the socket); without one the socket waits
    // for its auth message, in one of the few slots for that.
    const headerToken = bearerToken(request.headers.authorization);
    if (headerToken) {
      inOrder(() => signIn(headerToken));
    }
    const stopWaiting = headerToken ? () => {} : limits.awaitAuth();
    if (!stopWaiting) {
      socket.close(CLOSE_CODES.tooManyWaiting, "too many connections waiting to sign in");
      return;
    }
    const authTimer = headerToken ? undefined : setTimeout(() => socket.close(UNAUTHORIZED, "unauthorized"), AUTH_WAIT_MS);
    authTimer?.unref();
    // Dead sockets (a laptop closed mid-shift) are found by missing pongs and dropped.
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    socket.on("pong", () => (alive = true));
    socket.on("close", () => {
      stopWaiting();
      clearInterval(heartbeat);
      if (authTimer) clearTimeout(authTimer);
      leave();
    });
    socket.on("message", (raw) =>
      inOrder(async () => {
        // A socket being closed (its token just revoked, its sign-in refused) acts on nothing more it receives.
        if (socket.readyState !== socket.OPEN) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString());
        } catch {
          return send(socket, { type: "error", error: "bad_message", message: "messages are JSON objects" });
        }
        const result = clientMessageSchema.safeParse(parsed);
        if (!user) {
          if (result.success && result.data.type === "auth") {
            if (authTimer) clearTimeout(authTimer);
            stopWaiting();
            await signIn(result.data.token);
          } else socket.close(UNAUTHORIZED, "unauthorized");
          return;
        }
        if (!result.success) return send(socket, { type: "error", error: "bad_message", message: zodMessage(result.error) });
        try {
          const answer = await handle(s, user, result.data, dispositions);
          if (answer) send(socket, answer);
        } catch (err) {
          if (err instanceof PresenceError) return send(socket, { type: "error", error: "conflict", message: err.message });
          request.log.error({ err }, "websocket message failed");
          send(socket, { type: "error", error: "internal", message: "could not handle that message" });
        }
      }),
    );
  });
}
