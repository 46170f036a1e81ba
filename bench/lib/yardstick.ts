// What the yardstick servers of section 1 (servers/bare-server.ts, servers/floor-server.ts) share.
import { onParent, tell } from "./child.js";

/** Constant TwiML of the kind an IVR menu answers, `said` in its prompt. */
export const yardstickTwiml = (said: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="6" ' +
  'action="http://127.0.0.1/twilio/ivr?node=main-menu&amp;attempt=0" method="POST" actionOnEmptyResult="true">' +
  `<Say voice="Google.th-TH-Standard-A" language="th-TH">${said}</Say></Gather>` +
  '<Redirect method="POST">http://127.0.0.1/twilio/ivr?node=main-menu&amp;attempt=0</Redirect></Response>';
/**
 * In a yardstick server's child (the bare route, the floor): answers the parent's "stats" with this
 * process's CPU and "stop" by closing (`close`) and exiting, then tells the parent it is ready.
 */
export function serveYardstick(port: number, close: () => Promise<unknown>): void {
  onParent(async (m) => {
    if (m.type === "stats") {
      const cpu = process.cpuUsage();
      tell({ type: "stats", cpuMs: (cpu.user + cpu.system) / 1000 });
    }
    if (m.type === "stop") {
      await close();
      process.exit(0);
    }
  });
  tell({ type: "ready", url: `http://127.0.0.1:${port}` });
}
