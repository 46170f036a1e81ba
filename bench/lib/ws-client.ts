import WebSocket from "ws";

type Message = Record<string, unknown> & { type: string };

/**
 * A desktop or wallboard connection. It keeps counts, not every message: a hundred wallboards receiving
 * live figures on every change would otherwise fill the bench's own heap and distort its RSS.
 */
export class DeskSocket {
  readonly counts = new Map<string, number>();
  private waiters: Array<{ type: string; resolve: (m: Message) => void }> = [];
  onMessage: ((m: Message, receivedAt: number) => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (raw) => {
      const receivedAt = performance.now();
      const m = JSON.parse(raw.toString()) as Message;
      this.counts.set(m.type, (this.counts.get(m.type) ?? 0) + 1);
      this.onMessage?.(m, receivedAt);
      const due = this.waiters.filter((w) => w.type === m.type);
      this.waiters = this.waiters.filter((w) => w.type !== m.type);
      for (const w of due) w.resolve(m);
    });
  }

  static open(url: string, token: string): Promise<DeskSocket> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const socket = new DeskSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(socket));
      ws.once("error", reject);
    });
  }

  /** The next message of a type (or one already counted, when `seen` allows it). */
  next(type: string): Promise<Message> {
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}
