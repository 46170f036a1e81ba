// Browser code shared by the agent desktop and the wallboard: labels, formatting, sign-in, the API and
// the live socket. Plain ES module, no build step (but for the message schemas, which the server bundles),
// nothing from the internet.

// The server's own zod schemas for /ws messages, bundled by it from src/realtime/messages.ts.
import { clientMessageSchema, serverMessageSchema } from "/web/messages.js";

/** Thai and English for every code the server sends. English language names come from the server. */
const LABELS = {
  language: {
    th: "ไทย", my: "พม่า", km: "เขมร", lo: "ลาว", vi: "เวียดนาม", zh: "จีนกลาง", mfa: "มลายูปาตานี (ยาวี)", en: "อังกฤษ",
  },
  topic: {
    violence: ["ความรุนแรง", "Violence"],
    trafficking: ["การค้ามนุษย์", "Human trafficking"],
    pregnancy: ["ตั้งครรภ์ไม่พร้อม", "Unplanned pregnancy"],
    child_labour: ["แรงงานเด็ก", "Child labour"],
    other: ["ปัญหาสังคมอื่น", "Other social problem"],
    emergency: ["เหตุฉุกเฉิน", "Emergency"],
  },
  outcome: {
    advice_given: ["ให้คำปรึกษาแล้ว", "Advice given"],
    referred: ["ส่งต่อหน่วยงาน", "Referred"],
    emergency_dispatched: ["ส่งเจ้าหน้าที่ฉุกเฉิน", "Emergency dispatched"],
    information: ["ให้ข้อมูล", "Information"],
    silent_call: ["สายเงียบ", "Silent call"],
    prank: ["สายก่อกวน", "Prank call"],
    other: ["อื่น ๆ", "Other"],
  },
  callOutcome: {
    answered: ["รับสายแล้ว", "Answered"],
    abandoned_ivr: ["วางสายระหว่างเมนู", "Hung up in the menu"],
    abandoned_queue: ["วางสายระหว่างรอ", "Hung up while waiting"],
    abandoned_ringing: ["วางสายขณะเรียกเจ้าหน้าที่", "Hung up while ringing"],
    overflow: ["สายเต็ม", "Lines full"],
    callback_requested: ["ขอให้โทรกลับ", "Asked for a callback"],
    outage: ["ระบบขัดข้อง ไม่ได้รับสาย", "Missed in an outage"],
  },
  priority: { normal: ["ปกติ", "Normal"], emergency: ["ฉุกเฉิน", "EMERGENCY"] },
  status: {
    available: ["พร้อมรับสาย", "Available"],
    offered: ["สายกำลังเข้า", "Ringing"],
    on_call: ["กำลังสนทนา", "On a call"],
    wrap_up: ["สรุปสาย", "Wrap-up"],
    break: ["พัก", "Break"],
    offline: ["ออฟไลน์", "Offline"],
  },
  reason: {
    overflow: ["สายเต็ม", "Lines full"],
    abandoned_ivr: ["วางสายในเมนู", "Hung up in the menu"],
    abandoned_queue: ["วางสายขณะรอ", "Hung up while waiting"],
    abandoned_ringing: ["วางสายขณะเรียก", "Hung up while ringing"],
    requested: ["ขอให้โทรกลับ", "Asked for a callback"],
    no_answer: ["โทรกลับแล้วไม่มีผู้รับ", "No answer on callback"],
    outage: ["ระบบขัดข้อง", "Missed in an outage"],
  },
  callbackStatus: {
    open: ["รอโทรกลับ", "Open"],
    claimed: ["รับเรื่องแล้ว", "Claimed"],
    reached: ["ติดต่อได้แล้ว", "Reached"],
    unreachable: ["ติดต่อไม่ได้", "Unreachable"],
    not_callable: ["โทรกลับไม่ได้", "Not callable"],
  },
  urgency: { normal: ["ปกติ", "Normal"], urgent: ["เร่งด่วน", "Urgent"], crisis: ["วิกฤต", "Crisis"] },
  caseStatus: { open: ["เปิดอยู่", "Open"], referred: ["ส่งต่อแล้ว", "Referred"], closed: ["ปิดแล้ว", "Closed"] },
  referralStatus: {
    sent: ["ส่งแล้ว", "Sent"],
    accepted: ["หน่วยงานรับเรื่อง", "Accepted"],
    in_progress: ["กำลังดำเนินการ", "In progress"],
    closed: ["ปิดเรื่อง", "Closed"],
    returned: ["ส่งคืน", "Returned"],
  },
  referralRule: {
    crisis_bangkok_rapid_response: ["เหตุวิกฤตในกรุงเทพฯ ส่งหน่วยเคลื่อนที่เร็ว", "Crisis in Bangkok: rapid-response team"],
    crisis_provincial_shelter: ["เหตุวิกฤตต่างจังหวัด ส่งบ้านพักเด็กและครอบครัวของจังหวัด", "Crisis outside Bangkok: the province's shelter"],
    shelter_takes_category: ["บ้านพักเด็กและครอบครัวของจังหวัดรับเรื่องประเภทนี้", "The province's shelter takes this kind of case"],
    provincial_office: ["ส่งสำนักงานพัฒนาสังคมฯ จังหวัด", "The provincial social development office"],
  },
  transferMode: { warm: ["แนะนำตัวก่อนโอน", "Warm"], cold: ["โอนทันที", "Cold"] },
  transferStatus: {
    dialling: ["กำลังโทรหาหน่วยงาน", "Dialling the agency"],
    briefing: ["หน่วยงานรับสายแล้ว", "Agency on the line"],
    completed: ["ส่งต่อสำเร็จ", "Transferred"],
    returned: ["ผู้โทรกลับมาที่คุณ", "Caller back with you"],
    failed: ["ส่งต่อไม่สำเร็จ", "Transfer failed"],
  },
  personRole: {
    victim: ["ผู้ถูกกระทำ", "Victim"],
    reporter: ["ผู้แจ้ง", "Reporter"],
    alleged_perpetrator: ["ผู้ถูกกล่าวหา", "Alleged perpetrator"],
    guardian: ["ผู้ปกครอง", "Guardian"],
    witness: ["พยาน", "Witness"],
    other: ["อื่น ๆ", "Other"],
  },
  sex: { female: ["หญิง", "Female"], male: ["ชาย", "Male"], other: ["อื่น ๆ", "Other"], unknown: ["ไม่ทราบ", "Unknown"] },
};

/**
 * The server's constants (/web/constants.json): languages in menu order, wrap-up outcomes and topics,
 * provinces, agency types, the shipped case categories and the case fields' codes.
 */
export const constants = await fetch("/web/constants.json").then((r) => r.json());
const englishLanguage = Object.fromEntries(constants.languages.map((l) => [l.code, l.name]));

/** Labels whose names the server owns; a page may teach more of them (the hotline's own case categories). */
export function learnLabels(kind, items) {
  LABELS[kind] = { ...LABELS[kind], ...Object.fromEntries(items.map((i) => [i.code, [i.th, i.en]])) };
}
learnLabels("province", constants.provinces);
learnLabels("agencyType", constants.agencyTypes);
learnLabels("category", constants.caseCategories);

/** "ไทย · Thai": both languages, always; an unknown code shows as itself rather than vanishing. */
export function label(kind, code) {
  if (code == null || code === "") return "—";
  if (kind === "language") return `${LABELS.language[code] ?? code} · ${englishLanguage[code] ?? code}`;
  const pair = LABELS[kind]?.[code];
  return pair ? `${pair[0]} · ${pair[1]}` : String(code);
}
export const statusOrder = Object.keys(LABELS.status);

/** 75 → "1:15", 3725 → "1:02:05". */
export function duration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n) => String(n).padStart(2, "0");
  return hms[0] > 0 ? `${hms[0]}:${pad(hms[1])}:${pad(hms[2])}` : `${hms[1]}:${pad(hms[2])}`;
}

// The hotline keeps Bangkok time, wherever the browser is.
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Bangkok" });
export const dateTime = (iso) => (iso ? dateFormat.format(new Date(iso)) : "—");

/** Builds DOM from data with textContent only: a caller's note can never become markup. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows a short message in a live region so screen readers announce it too. */
export function announce(region, text, tone = "info") {
  region.textContent = text;
  region.dataset.tone = tone;
  region.hidden = !text;
}

/**
 * Sign-in with a token kept in sessionStorage: it lasts for this tab only and is gone when the tab
 * closes, which suits shared computers in a call centre.
 */
export function signIn({ storageKey, form, input, onToken }) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    sessionStorage.setItem(storageKey, token);
    input.value = "";
    onToken(token);
  });
  const saved = sessionStorage.getItem(storageKey);
  if (saved) onToken(saved);
  return { forget: () => sessionStorage.removeItem(storageKey) };
}

/**
 * What every signed-in page does alike: sign in (token kept for the tab), open the live socket, show its
 * state, and sign out — on the button, or when the server refuses the token. `onStart(token, live)` and
 * `reset()` are the page's own part; the returned `signOut(message)` lets the page refuse a wrong role.
 */
export function liveSession({ storageKey, onMessage, onStart, reset }) {
  const $ = (id) => document.getElementById(id);
  let live = null;
  const signOut = (message) => {
    live?.stop();
    live = null;
    session.forget();
    reset();
    $("sign-in").hidden = false;
    $("sign-out").hidden = true;
    $("connection").textContent = "";
    announce($("sign-in-error"), message ?? "", "error");
  };
  const onState = (s) => {
    $("connection").textContent = connectionText(s);
    $("connection").dataset.state = s.state;
    if (s.state === "unauthorized") signOut(refusalText(s.reason));
  };
  $("sign-out").addEventListener("click", () => signOut());
  const session = signIn({
    storageKey,
    form: $("sign-in-form"),
    input: $("token"),
    onToken: (token) => {
      announce($("sign-in-error"), "");
      live = new LiveSocket(token, { onMessage, onState });
      onStart(token, live);
    },
  });
  return { signOut };
}

/** JSON over fetch with the bearer token; resolves to {status, body}, never throws on HTTP errors. */
export async function api(token, method, path, body) {
  try {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  } catch (err) {
    return { status: 0, body: { error: "network", message: String(err?.message ?? err) } };
  }
}

/** A file the server made (CSV), fetched with the token and handed to the browser as a download. */
export async function download(token, path, fallbackName) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } }).catch((err) => ({ ok: false, status: 0, err }));
  if (res.status === 0) return { status: 0, body: { error: "network", message: String(res.err?.message ?? res.err) } };
  if (!res.ok) return { status: res.status, body: await res.json().catch(() => null) };
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await res.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return { status: res.status };
}

const UNAUTHORIZED = 4401;
/** The server is restarting (a deploy): it says `reconnect`, then closes with this code. */
const SERVICE_RESTART = 1012;

/** Why the server refused the token, in words: a signed-out agent needs to know whether to retype it or ask for a new one. */
const REFUSALS = {
  token_expired: "รหัสหมดอายุแล้ว ขอรหัสใหม่จากผู้ดูแลระบบ · This token has expired: ask an administrator for a new one",
  deactivated: "บัญชีนี้ถูกปิดใช้งาน · This account has been deactivated",
  token_replaced: "รหัสนี้ถูกเปลี่ยนแล้ว ใช้รหัสใหม่ · This token was replaced: sign in with the new one",
};

export function refusalText(reason) {
  return REFUSALS[reason] ?? "รหัสไม่ถูกต้อง · That token was not accepted";
}
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
/** After a restart notice: about a second (jittered), so the desktops of a call centre do not all arrive at once. */
const RESTART_RECONNECT_MS = 1000;

/**
 * The /ws connection: signs in with the first message, and when it drops reconnects with growing,
 * jittered delays (so a restarted server is not hit by every desktop at once). On each (re)connect the
 * server sends the current state, so the page just renders what arrives. A server that restarts says
 * `reconnect` and closes with 1012: the page connects again within about a second, without backing off.
 * Every message, both ways, is checked against the server's schemas: one that does not match is logged
 * and goes nowhere.
 */
export class LiveSocket {
  constructor(token, { onMessage, onState }) {
    this.token = token;
    this.onMessage = onMessage;
    this.onState = onState;
    this.failures = 0;
    this.stopped = false;
    this.timer = undefined;
    // Back online: try at once instead of waiting out the backoff.
    this.reconnectNow = () => {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.retrySoon(0);
    };
    window.addEventListener("online", this.reconnectNow);
    this.connect();
  }

  connect() {
    this.timer = undefined;
    this.onState({ state: "connecting" });
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    this.ws = ws;
    ws.addEventListener("open", () => {
      // A token the server could never accept (pasted with extra text, say) is refused here and now.
      if (!this.send({ type: "auth", token: this.token })) this.refused();
    });
    ws.addEventListener("message", (event) => {
      const message = parseServerMessage(event.data);
      if (!message) return;
      // Not a failure: the close that follows is answered by connecting again soon, through the balancer.
      if (message.type === "reconnect") {
        ws.restarting = true;
        return;
      }
      if (message.type === "hello") {
        this.failures = 0;
        this.onState({ state: "open" });
      }
      this.onMessage(message);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws || this.stopped) return;
      if (event.code === UNAUTHORIZED) return this.refused(event.reason);
      if (event.code === SERVICE_RESTART || ws.restarting) {
        this.failures = 0;
        return this.retrySoon(RESTART_RECONNECT_MS);
      }
      this.retrySoon();
    });
  }

  /** reason: the close reason the server gave (refusalSchema in src/realtime/messages.ts), if any. */
  refused(reason) {
    this.stop();
    this.onState({ state: "unauthorized", reason });
  }

  retrySoon(delay) {
    const live = this.ws && (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN);
    if (this.stopped || this.timer !== undefined || live) return;
    const base = delay ?? BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    const wait = Math.round(base * (0.8 + Math.random() * 0.4));
    this.failures += 1;
    this.onState({ state: "reconnecting", inSeconds: Math.ceil(wait / 1000) });
    this.timer = setTimeout(() => this.connect(), wait);
  }

  /** Sends when connected and well-formed; false tells the page to say so rather than lose the message silently. */
  send(message) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    const checked = clientMessageSchema.safeParse(message);
    if (!checked.success) {
      console.warn(`not sent: a malformed ${message?.type} message`, checked.error.issues);
      return false;
    }
    this.ws.send(JSON.stringify(checked.data));
    return true;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener("online", this.reconnectNow);
    this.ws?.close();
  }
}

/** The message, checked; undefined (and a warning, not an error: the page carries on) when it does not match. */
function parseServerMessage(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    console.warn("ignored a server message that is not JSON");
    return undefined;
  }
  const checked = serverMessageSchema.safeParse(json);
  if (checked.success) return checked.data;
  console.warn(`ignored a malformed ${json?.type} message`, checked.error.issues);
  return undefined;
}

/** Header text for the connection state. */
export function connectionText({ state, inSeconds }) {
  switch (state) {
    case "open": return "เชื่อมต่อแล้ว · Connected";
    case "connecting": return "กำลังเชื่อมต่อ… · Connecting…";
    case "reconnecting": return `การเชื่อมต่อขาด ลองใหม่ใน ${inSeconds} วินาที · Connection lost, retrying in ${inSeconds} s`;
    default: return "ไม่ได้เชื่อมต่อ · Not connected";
  }
}
