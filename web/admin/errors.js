// Every refusal from the server, said in Thai and English as a sentence a supervisor can act on; the
// server's own message follows in brackets, so nothing it said is lost.
import { refusalText } from "/web/shared.js";

/** Known server messages (400 and 409), by what they contain: [Thai, English]. */
const KNOWN = [
  [/client: identity must match/, "ชื่อ client: ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข และขีดล่าง (_) 1–121 ตัว ห้ามมีช่องว่างหรือขีด", "A client: identity may hold only letters, digits and underscores (1 to 121), no spaces or dashes"],
  [/endpoint must be/, "ปลายทางต้องเป็น client:ชื่อ, sip:ผู้ใช้@โฮสต์ หรือเบอร์โทรแบบ +66…", "The endpoint must be client:<identity>, sip:<user>@<host> or a number such as +66…"],
  [/languages/, "เลือกภาษาที่พูดได้อย่างน้อยหนึ่งภาษา", "Choose at least one language the agent speaks"],
  [/name:/, "กรอกชื่อ", "Fill in the name"],
  [/province/, "จังหวัดไม่ถูกต้อง", "The province is not one we know"],
  [/categor/, "ประเภทเรื่องไม่ถูกต้องหรือถูกปิดใช้แล้ว", "A category is unknown or no longer in use"],
  [/another agent has claimed/, "เจ้าหน้าที่คนอื่นรับเรื่องนี้ไปแล้ว", "Another agent already holds this callback"],
  [/does not speak the caller's language/, "เจ้าหน้าที่คนนี้ไม่ได้พูดภาษาของผู้โทร", "This agent does not speak the caller's language"],
  [/deactivated/, "บัญชีของเจ้าหน้าที่คนนี้ถูกปิดใช้งาน", "This agent's account is deactivated"],
  [/already being called back/, "ระบบกำลังโทรกลับหาผู้โทรรายนี้อยู่", "This caller is already being called back"],
  [/this callback is /, "รายการนี้ปิดไปแล้ว", "This callback is already closed"],
  [/your own account/, "ปิดบัญชีของตัวเองไม่ได้", "You cannot deactivate your own account"],
  [/digits/, "เลขท้ายต้องเป็นตัวเลข 2–15 หลัก", "The last digits must be 2 to 15 digits"],
  [/lines/, "จำนวนคู่สายต้องเป็นจำนวนเต็ม 1–10000", "Line capacity must be a whole number from 1 to 10,000"],
  [/header row|text\/csv|file is empty/, "ไฟล์ไม่ใช่ CSV ของสมุดรายชื่อ: แถวแรกต้องเป็นชื่อคอลัมน์", "This is not a directory CSV: its first row must name the columns"],
];

const BY_STATUS = {
  0: ["ติดต่อเซิร์ฟเวอร์ไม่ได้ ลองใหม่อีกครั้ง", "The server could not be reached: try again"],
  400: ["ข้อมูลไม่ถูกต้อง แก้ไขแล้วลองใหม่", "The server refused what was sent: correct it and try again"],
  403: ["บัญชีของคุณไม่มีสิทธิ์ทำสิ่งนี้", "Your account may not do this"],
  404: ["ไม่พบรายการนี้ อาจถูกเปลี่ยนไปแล้ว รีเฟรชแล้วลองใหม่", "That was not found: it may have changed, refresh and try again"],
  409: ["ทำไม่ได้เพราะสถานะเปลี่ยนไปแล้ว", "This cannot be done in its present state"],
};

/** "ไทย · English (server's message)" for a failed api() answer. */
export function problemText(res) {
  if (res.status === 401) return refusalText(res.body?.error);
  const message = res.body?.message ?? "";
  const known = KNOWN.find(([pattern]) => pattern.test(message));
  const [th, en] = known ? known.slice(1) : (BY_STATUS[res.status] ?? ["เกิดข้อผิดพลาดที่เซิร์ฟเวอร์ ลองใหม่อีกครั้ง", "Something went wrong on the server: try again"]);
  return message && res.status !== 0 ? `${th} · ${en} (${message})` : `${th} · ${en}`;
}
