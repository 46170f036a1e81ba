/**
 * One cell of every CSV the hotline exports. Caller IDs are set by whoever places the call, so a spoofed
 * "=HYPERLINK(…)" must not become a formula in the supervisor's spreadsheet. OWASP's rule: a cell that
 * begins with = + - @, a tab or a carriage return gets a leading ' (and cells are quoted when they hold
 * a separator, a quote or a line break).
 *
 * E.164 numbers get the ' too, on purpose: a spreadsheet reads "+66812345678" as the formula
 * =+66812345678 and shows 66812345678 (or 6.68E+10), losing the + and the number's meaning; with the '
 * it stays the text "+66812345678" (Excel hides the '; others show it). One rule for every cell
 * leaves no exception to get wrong, and the import reads the ' back off (`fromCsvCell`).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function toCsvCell(value: unknown): string {
  const raw = value == null ? "" : String(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A parsed cell as it was before export: a file exported here and edited can be imported back. */
export function fromCsvCell(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** A whole document: a header row, then one row per record, lines ended as RFC 4180 says (CRLF). */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(toCsvCell).join(",")).join("\r\n") + "\r\n";
}
