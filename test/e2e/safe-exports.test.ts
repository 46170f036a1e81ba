// Exports are opened in spreadsheets: a caller ID or an agency name chosen by an outsider must arrive
// there as text, never as a formula (OWASP's CSV injection advice, src/csv-cell.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/cases/agency-csv.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ RECONCILE_SECONDS: "3600" });
});
afterAll(async () => cc.stopAll());

const SPOOFED = '=HYPERLINK("http://e/","x")';
/** What a spreadsheet would take for a formula: the first character of a cell. */
const formulaCells = (csv: string) => parseCsv(csv).flatMap((r) => r.cells).filter((c) => /^[=+\-@\t\r]/.test(c));

async function importCsv(text: string) {
  const res = await fetch(`${cc.baseUrl}/api/agencies/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${cc.config.ADMIN_TOKEN}`, "content-type": "text/csv" },
    body: text,
  });
  return (await res.json()) as { created: number; updated: number; errors: unknown[] };
}

describe("CSV exports cannot start a formula", () => {
  it("a spoofed caller ID reaches callbacks.csv as text, and an E.164 number stays readable", async () => {
    const spoofed = cc.carrier.placeCall({ from: SPOOFED });
    await cc.settle();
    await spoofed.hangup();
    const real = await cc.callIn("+66812345678", []);
    await real.hangup();
    await cc.settle();

    // A caller ID that is no number cannot be called back: its item is closed as not callable, and kept.
    const csv = await cc.api("GET", "/api/callbacks.csv?status=open,not_callable");
    expect(csv.status).toBe(200);
    const rows = parseCsv(csv.body as string).map((r) => r.cells);
    const number = rows[0]!.indexOf("number");
    expect(rows.map((r) => r[number]).sort()).toEqual(["'+66812345678", `'${SPOOFED}`, "number"].sort());
    expect(formulaCells(csv.body as string)).toEqual([]);
  });

  it("an agency named @SUM(1) is exported neutral and imports back under its own name", async () => {
    const created = await cc.api("POST", "/api/agencies", { body: { name: "@SUM(1)", type: "police", province: "10", endpoint: "+6621000009" } });
    expect(created.status).toBe(201);
    const csv = await cc.api("GET", "/api/agencies.csv");
    const row = parseCsv(csv.body as string).find((r) => r.cells[0]!.includes("SUM"))!;
    expect(row.cells).toEqual(["'@SUM(1)", "police", "10", "'+6621000009", "24h", ""]);
    expect(formulaCells(csv.body as string)).toEqual([]);
    // The ' is the export's, not the agency's: the file imports back onto the same agency.
    expect(await importCsv(csv.body as string)).toMatchObject({ created: 0, errors: [] });
    const listed = (await cc.api("GET", "/api/agencies?province=10&type=police")).body.items;
    expect(listed).toMatchObject([{ name: "@SUM(1)", endpoint: "+6621000009" }]);
  });
});
