// Where the agent's calls ring: the simulator's test-call page, a phone of their own, or this browser.
import { api, el } from "/web/shared.js";
import { $, problem, state } from "./state.js";

export async function loadPhone() {
  const res = await api(state.token, "GET", "/api/voice-token");
  const box = $("phone");
  const b = res.body ?? {};
  if (res.status !== 200) return box.replaceChildren(el("p", { class: "muted" }, `โทรศัพท์ในเบราว์เซอร์ใช้ไม่ได้ · Browser phone unavailable: ${problem(res)}`));
  if (b.mode === "simulator") {
    return box.replaceChildren(el("p", {}, "โหมดทดสอบ: รับสายที่หน้าโทรศัพท์จำลอง · Test mode: answer on the test-call page ",
      el("a", { href: b.phoneUrl, target: "_blank", rel: "noopener noreferrer" }, b.phoneUrl)));
  }
  if (b.mode === "twilio") return startBrowserPhone(b, box);
  box.replaceChildren(el("p", {}, `สายจะดังที่โทรศัพท์ของคุณ · Calls ring your phone${b.endpoint ? ` (${b.endpoint})` : ""}`));
}

// ---- browser phone: Twilio's Voice SDK, served from this origin ----
// The call card follows the phone (which buttons it offers); it registers itself here, avoiding an import cycle.
let phoneChanged = () => {};
export function onPhoneChange(listener) {
  phoneChanged = listener;
}
const phone = { box: null, device: null, identity: null, state: "starting", call: null, talking: false, problem: null, retry: undefined };
const PHONE_STATE = {
  starting: "กำลังเปิดโทรศัพท์ในเบราว์เซอร์… · Starting the browser phone…",
  ready: "โทรศัพท์ในเบราว์เซอร์พร้อมรับสาย · Browser phone ready",
  offline: "โทรศัพท์ในเบราว์เซอร์ไม่ได้เชื่อมต่อ · Browser phone not registered",
  failed: "โทรศัพท์ในเบราว์เซอร์ใช้ไม่ได้ · Browser phone unavailable",
};

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = el("script", { src });
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`${src} did not load`)));
    document.head.append(script);
  });
}

/** Registers this browser as the agent's Twilio Client identity; calls routed to the agent ring here. */
async function startBrowserPhone(info, box) {
  phone.box = box;
  // A reconnect of the live socket signs in again: the phone that is already registered stays.
  if (phone.device && phone.identity === info.identity) return renderPhone();
  stopBrowserPhone();
  Object.assign(phone, { box, identity: info.identity, state: "starting", problem: null });
  renderPhone();
  try {
    if (!window.Twilio?.Device) await loadScript("/web/twilio-voice.min.js");
    const device = new window.Twilio.Device(info.token, {
      closeProtection: "มีสายอยู่ ปิดหน้านี้แล้วสายจะหลุด · A call is in progress: closing this page drops it",
      codecPreferences: ["opus", "pcmu"],
    });
    phone.device = device;
    device.on("registered", () => phoneState("ready"));
    device.on("unregistered", () => phoneState("offline"));
    device.on("error", (err) => {
      phoneProblem(sdkProblem(err));
      // 20104: the access token expired (the renewal was missed, e.g. the laptop slept).
      if (err?.code === 20104) renewPhoneToken();
    });
    device.on("incoming", onIncomingCall);
    device.on("tokenWillExpire", renewPhoneToken);
    await device.register();
  } catch (err) {
    phone.state = "failed";
    phoneProblem(String(err?.message ?? err));
  }
}

/** The Voice SDK's errors are English only: a Thai sentence comes first. */
const sdkProblem = (err) => `โทรศัพท์ในเบราว์เซอร์มีปัญหา · Browser phone problem: ${err?.message ?? err}${err?.code ? ` (${err.code})` : ""}`;

function phoneState(s) {
  phone.state = s;
  if (s === "ready") phone.problem = null;
  renderPhone();
}

function phoneProblem(text) {
  phone.problem = text;
  renderPhone();
}

async function renewPhoneToken() {
  clearTimeout(phone.retry);
  const device = phone.device;
  if (!device || !state.token) return;
  const res = await api(state.token, "GET", "/api/voice-token");
  if (phone.device !== device) return;
  if (res.status === 200 && res.body?.mode === "twilio") return device.updateToken(res.body.token);
  phoneProblem(`ต่ออายุโทรศัพท์ไม่ได้ · Could not renew the phone's access: ${problem(res)}`);
  phone.retry = setTimeout(renewPhoneToken, 5000);
}

function onIncomingCall(call) {
  Object.assign(phone, { call, talking: false });
  const over = () => {
    if (phone.call !== call) return;
    Object.assign(phone, { call: null, talking: false });
    renderPhone();
  };
  call.on("accept", () => {
    phone.talking = true;
    renderPhone();
  });
  for (const event of ["disconnect", "cancel", "reject"]) call.on(event, over);
  call.on("error", (err) => phoneProblem(sdkProblem(err)));
  renderPhone();
  phone.box?.querySelector(".answer")?.focus();
}

/** Whether this browser's phone is on a call now: it has its own Mute and Hang up buttons then. */
export const browserPhoneTalking = () => Boolean(phone.call && phone.talking);

function renderPhone() {
  const { box, call } = phone;
  if (!box) return;
  phoneChanged();
  const parts = [el("p", { "data-phone-state": phone.state }, PHONE_STATE[phone.state], phone.identity ? el("span", { class: "muted" }, ` · ${phone.identity}`) : null)];
  if (call && !phone.talking) {
    parts.push(el("p", {}, el("button", { type: "button", class: "answer", onclick: () => call.accept() }, "รับสาย · Answer")));
  } else if (call) {
    // The browser phone mutes and hangs up itself (instant, and works if the server is out of reach);
    // the call card then offers hold only (web/agent/call-controls.js).
    const muted = call.isMuted();
    parts.push(el("p", { class: "row" },
      el("button", { type: "button", "aria-pressed": String(muted), onclick: () => { call.mute(!muted); renderPhone(); } }, "ปิดไมค์ · Mute"),
      el("button", { type: "button", onclick: () => call.disconnect() }, "วางสาย · Hang up")));
  }
  if (phone.problem) parts.push(el("p", { class: "notice", "data-tone": "error" }, phone.problem));
  box.replaceChildren(...parts);
}

export function stopBrowserPhone() {
  clearTimeout(phone.retry);
  phone.device?.destroy();
  Object.assign(phone, { box: null, device: null, identity: null, state: "starting", call: null, talking: false, problem: null, retry: undefined });
}
