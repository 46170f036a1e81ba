// The agent desktop: sign-in, the live connection, and what each message from the server does.
import { announce, liveSession } from "/web/shared.js";
import { errorSentence } from "/web/errors.js";
import { onConnected, onEnded, onOffered, onUpdated, setStatus } from "./call-events.js";
import { onControl, onMonitored } from "./call-controls.js";
import { renderCall, stopTimer } from "./call-card.js";
import { loadCallbacks } from "./callbacks-panel.js";
import { loadPhone, stopBrowserPhone } from "./phone.js";
import { $, state, work } from "./state.js";
import { renderStatus } from "./status-panel.js";
import { onTransferUpdated } from "./transfer-panel.js";
import { hideWrapUp, wrapUpRefused, wrapUpSaved } from "./wrap-up.js";

const { signOut } = liveSession({
  storageKey: "hotline.agent.token",
  onMessage,
  onStart: (token, live) => Object.assign(state, { token, live }),
  reset() {
    Object.assign(state, { token: null, live: null, me: null, call: null, lostCall: null, wrapUp: null, callbacks: [] });
    stopBrowserPhone();
    work.callSid = null;
    stopTimer();
    hideWrapUp();
    renderCall();
    $("desk").hidden = true;
    $("me").textContent = "";
    $("token").focus();
  },
});

// ---- messages from the server ----
function onMessage(m) {
  switch (m.type) {
    case "hello":
      if (m.user.role !== "agent") return signOut("หน้านี้สำหรับเจ้าหน้าที่ · This page needs an agent token");
      state.me = m.user;
      state.wrapUpSeconds = m.wrapUpSeconds ?? null;
      // After a reconnect the server re-sends a live call; one that ended meanwhile still needs its wrap-up.
      if (state.call?.phase === "connected") state.lostCall = state.call;
      state.call = null;
      // Transfer steps pushed while the socket was down were missed: ask again once the call is back.
      work.resync = true;
      $("me").textContent = m.user.name;
      $("sign-in").hidden = true;
      $("desk").hidden = false;
      $("sign-out").hidden = false;
      loadPhone();
      loadCallbacks();
      break;
    case "agent.status":
      setStatus(m.status, m.reason, m.wrapUpLeftSeconds);
      break;
    case "call.offered":
      onOffered(m.call);
      break;
    case "call.updated":
      onUpdated(m.call);
      break;
    case "call.control":
      onControl(m);
      break;
    case "call.monitored":
      onMonitored(m);
      break;
    case "call.connected":
      onConnected(m);
      break;
    case "call.ended":
      onEnded(m);
      break;
    case "callbacks.changed":
      loadCallbacks();
      break;
    case "transfer.updated":
      onTransferUpdated(m);
      break;
    case "ack":
      if (m.of === "disposition" && state.wrapUp?.saving) wrapUpSaved();
      break;
    case "error":
      if (state.wrapUp?.saving) wrapUpRefused();
      announce($("notice"), errorSentence(m.error, m.message), "error");
      break;
  }
}

renderStatus();
