// The panels that follow the call on screen: its case (with the referral) and the transfer of the caller.
import { announce } from "/web/shared.js";
import { fillAgencySelects, loadAgencies } from "./agencies.js";
import { fillCaseForm, findLinkedCase, loadCategories, renderCase } from "./case-panel.js";
import { $, state, work } from "./state.js";
import { loadTransfers, onTransferChange, renderTransfer } from "./transfer-panel.js";

/** The panels follow the call on screen once it is answered, and stay with it through the wrap-up. */
export function syncWork() {
  const call = state.call;
  const show = Boolean(call) && call.phase !== "offered";
  if (show && work.callSid !== call.pop.callSid) beginWork(call.pop);
  else if (show && work.resync) {
    work.resync = false;
    loadTransfers(work.callSid);
  }
  $("case").hidden = !show;
  $("transfer").hidden = !show || (call.phase !== "connected" && !work.transfer);
  if (show) renderTransfer();
}

// A transfer step can show or hide the panels too.
onTransferChange(syncWork);

function beginWork(pop) {
  Object.assign(work, { callSid: pop.callSid, case: null, suggestion: null, agencies: [], transfer: null, referTouched: false, transferTouched: false, saving: false, acting: false, resync: false });
  for (const id of ["case-error", "referral-error", "transfer-error"]) announce($(id), "");
  $("referral-note").value = "";
  $("transfer-form").reset();
  fillCaseForm(null, pop);
  renderCase();
  fillAgencySelects();
  loadCategories();
  loadAgencies();
  findLinkedCase(pop);
  loadTransfers(pop.callSid);
}

export function handedOver(callSid) {
  return work.callSid === callSid && (work.transfer?.status === "completed" || Boolean(work.case?.referrals?.length));
}
