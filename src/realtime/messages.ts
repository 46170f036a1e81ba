import { z } from "zod";

/** Messages a client may send. Anything else gets an error back and changes nothing. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(200) }).strict(),
  z.object({ type: z.literal("status"), status: z.enum(["available", "break", "offline"]) }).strict(),
  z
    .object({
      type: z.literal("disposition"),
      callSid: z.string().min(1).max(64),
      outcome: z.enum(["advice_given", "referred", "emergency_dispatched", "information", "silent_call", "prank", "other"]),
      topic: z.enum(["violence", "trafficking", "pregnancy", "child_labour", "other", "emergency"]).optional(),
      note: z.string().max(2000).optional(),
    })
    .strict(),
  z.object({ type: z.literal("ping") }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { type: "hello"; user: { id: string; name: string; role: string }; status?: string }
  | { type: "agent.status"; status: string; reason?: string }
  | { type: "call.offered"; call: Record<string, unknown> }
  | { type: "call.connected"; callSid: string; connectedSeconds: number }
  | { type: "call.ended"; callSid: string; outcome?: string | null; reason?: string }
  | { type: "stats"; stats: unknown }
  | { type: "transfer.updated"; callSid: string; transferId: number; status: string; mode: string }
  | { type: "callbacks"; open: number; overdue: number; oldestAgeSeconds: number; items: unknown[] }
  /** To agents: the backlog changed; their page reloads its own slice (numbers masked) from the API. */
  | { type: "callbacks.changed" }
  | { type: "error"; error: string; message: string }
  | { type: "pong" }
  | { type: "ack"; of: string };
