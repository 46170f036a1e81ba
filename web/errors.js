// Every error a page shows, in Thai and English, from the server's error codes: the one place they are
// worded. A code the pages do not know still gets a sentence in both languages, with the server's detail.

const SENTENCES = {
  network: ["เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ ตรวจสอบอินเทอร์เน็ตแล้วลองอีกครั้ง", "The server could not be reached: check the connection and try again"],
  not_connected: ["ยังไม่ได้เชื่อมต่อ ลองอีกครั้ง", "Not connected: please try again"],
  unauthorized: ["รหัสเข้าใช้งานไม่ถูกต้อง", "That access token was not accepted"],
  token_expired: ["รหัสหมดอายุแล้ว ขอรหัสใหม่จากผู้ดูแลระบบ", "This token has expired: ask an administrator for a new one"],
  deactivated: ["บัญชีนี้ถูกปิดใช้งาน", "This account has been deactivated"],
  token_replaced: ["รหัสนี้ถูกเปลี่ยนแล้ว ใช้รหัสใหม่", "This token was replaced: sign in with the new one"],
  forbidden: ["คุณไม่มีสิทธิ์ทำรายการนี้", "You are not allowed to do this"],
  not_your_call: ["นี่ไม่ใช่สายของคุณ", "This is not your call"],
  not_found: ["ไม่พบรายการนี้ อาจสิ้นสุดหรือถูกลบไปแล้ว", "This could not be found: it may have ended or been removed"],
  call_not_live: ["สายนี้ไม่ได้สนทนาอยู่แล้ว", "This call is no longer in progress"],
  no_endpoint: ["ยังไม่ได้ระบุโทรศัพท์ของคุณ ใส่หมายเลขที่จะให้ระบบโทรหา", "Your phone is not set: enter the number the hotline should ring"],
  monitor_not_found: ["การฟังสายนี้สิ้นสุดแล้ว", "This monitoring has already ended"],
  monitor_not_connected: ["โทรศัพท์ของคุณยังไม่ได้รับสาย รับสายก่อนแล้วลองอีกครั้ง", "Your phone has not answered yet: answer it, then try again"],
  carrier_unavailable: ["ระบบโทรศัพท์ไม่ตอบสนอง ลองอีกครั้งในอีกสักครู่", "The phone company did not respond: try again in a moment"],
  unavailable: ["บริการนี้ใช้ไม่ได้ในขณะนี้", "This service is not available right now"],
  conflict: ["ทำรายการนี้ไม่ได้ในขณะนี้", "That cannot be done right now"],
  bad_request: ["ข้อมูลที่ส่งไม่ถูกต้อง", "Something in the request was not valid"],
  invalid: ["ข้อมูลที่กรอกไม่ถูกต้อง", "Something entered was not valid"],
  bad_message: ["ข้อความที่ส่งไม่ถูกต้อง", "The message sent was not valid"],
  already_authenticated: ["เข้าสู่ระบบอยู่แล้ว", "Already signed in"],
  internal: ["ระบบขัดข้อง ลองอีกครั้ง หากยังไม่ได้ แจ้งผู้ดูแลระบบ", "Something went wrong on the server: try again, and tell an administrator if it persists"],
};

/** Codes whose sentence says it all; for the others the server's own detail (English) follows. */
const SELF_EXPLAINING = new Set(["network", "not_connected", "unauthorized", "token_expired", "deactivated", "token_replaced", "not_your_call", "call_not_live",
  "no_endpoint", "monitor_not_found", "monitor_not_connected", "carrier_unavailable", "internal", "already_authenticated"]);

/** "ไทย · English", with the server's detail where the code alone says too little. */
export function errorSentence(code, detail) {
  const pair = SENTENCES[code] ?? ["เกิดข้อผิดพลาด", "Something went wrong"];
  const text = `${pair[0]} · ${pair[1]}`;
  return detail && !SELF_EXPLAINING.has(code) ? `${text} (${detail})` : text;
}

/** An API answer {status, body} from shared.js's api(). */
export function apiError(res) {
  const code = res.body?.error ?? (res.status === 0 ? "network" : res.status >= 500 ? "internal" : res.status === 404 ? "not_found" : "bad_request");
  return errorSentence(code, res.body?.message);
}
