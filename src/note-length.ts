// Free-text notes (dispositions, cases, referrals) are read by people and shown again on every later
// call of the number: a cap keeps one agent's paste (or flood) from costing every screen-pop after it.
// No imports: the pages' message schemas (src/realtime/messages.ts) use it too.
export const NOTE_MAX_CHARS = 4_000;
export const NOTE_TOO_LONG = `a note is at most ${NOTE_MAX_CHARS.toLocaleString("en")} characters`;
