import { forEachSliced } from "../batches.js";
import { fromCsvCell, toCsv } from "../csv-cell.js";
import { zodMessage } from "../http/errors.js";
import { newAgencySchema, type AgencyRow, type NewAgency } from "./agency-directory.js";
import { provinceFromText } from "./provinces.js";

/** The directory's spreadsheet columns, for both export and import, so an export can be edited and imported back. */
export const AGENCY_CSV_COLUMNS = ["name", "type", "province", "endpoint", "hours", "categories"] as const;
const REQUIRED = ["name", "type", "province"] as const;
/** Categories share one cell: "violence_child|trafficking". */
const CATEGORY_SEPARATOR = "|";

export interface CsvRecord {
  /** The line the record starts on, the header being line 1. */
  line: number;
  cells: string[];
}

/** RFC 4180 records: quoted cells may hold commas, quotes ("") and line breaks. A leading BOM (Excel) is dropped. */
export function parseCsv(text: string): CsvRecord[] {
  return [...csvRecords(text)];
}

/**
 * The same records one at a time, so a long file can be read a slice at a time (src/batches.ts): a
 * national directory's 600 kB held the event loop for up to 44 ms when parsed in one go.
 */
export function* csvRecords(text: string): Generator<CsvRecord> {
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  const src = text.replace(/^\uFEFF/, "");
  const record = (): CsvRecord | undefined => {
    cells.push(cell);
    const done = cells.length > 1 || cells[0]!.trim() !== "" ? { line: start, cells } : undefined;
    cells = [];
    cell = "";
    return done;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      const done = record();
      if (done) yield done;
      line++;
      start = line;
    } else cell += ch;
  }
  if (cell !== "" || cells.length) {
    const done = record();
    if (done) yield done;
  }
}

export type ParsedImport =
  | { ok: true; rows: { line: number; input: NewAgency }[]; errors: { line: number; message: string }[] }
  | { ok: false; message: string };

/** The import file, read and checked row by row (categories are checked against the database later). */
export async function readAgencyCsv(text: string): Promise<ParsedImport> {
  const records = csvRecords(text);
  const header: CsvRecord | undefined = records.next().value ?? undefined;
  if (!header) return { ok: false, message: "the file is empty: expected a header row name,type,province,endpoint,hours,categories" };
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const unknown = names.filter((n) => !(AGENCY_CSV_COLUMNS as readonly string[]).includes(n));
  const missing = REQUIRED.filter((r) => !names.includes(r));
  if (unknown.length || missing.length) {
    const problems = [unknown.length ? `unknown column ${unknown.join(", ")}` : "", missing.length ? `missing column ${missing.join(", ")}` : ""];
    return { ok: false, message: `header row: ${problems.filter(Boolean).join("; ")} (expected ${AGENCY_CSV_COLUMNS.join(",")})` };
  }
  const rows: { line: number; input: NewAgency }[] = [];
  const errors: { line: number; message: string }[] = [];
  // Checking a row (zod, province names, phone numbers) costs 50–100 µs: thousands are sliced.
  await forEachSliced(records, readRow);
  return { ok: true, rows, errors };

  function readRow(record: CsvRecord): void {
    const cell = (name: string) => {
      const i = names.indexOf(name);
      return i < 0 ? "" : fromCsvCell((record.cells[i] ?? "").trim());
    };
    if (record.cells.length > names.length) {
      errors.push({ line: record.line, message: `${record.cells.length} cells for ${names.length} columns (quote cells that hold commas)` });
      return;
    }
    const provinceText = cell("province");
    const province = provinceText ? provinceFromText(provinceText) : undefined;
    if (provinceText && !province) {
      errors.push({ line: record.line, message: `province: unknown province "${provinceText}" (a code such as 50, or the Thai or English name)` });
      return;
    }
    const parsed = newAgencySchema.safeParse({
      name: cell("name"),
      type: cell("type"),
      province: province?.code ?? null,
      endpoint: cell("endpoint") || null,
      hours: cell("hours") || undefined,
      categories: cell("categories").split(CATEGORY_SEPARATOR).map((c) => c.trim()).filter(Boolean),
    });
    if (parsed.success) rows.push({ line: record.line, input: parsed.data });
    else errors.push({ line: record.line, message: zodMessage(parsed.error) });
  }
}

export function agenciesToCsv(rows: AgencyRow[]): string {
  return toCsv(AGENCY_CSV_COLUMNS, rows.map((a) => [a.name, a.type, a.province, a.endpoint, a.hours, a.categories.join(CATEGORY_SEPARATOR)]));
}
