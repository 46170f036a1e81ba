/** One line of the bench table: a measured figure, the goal it is held to, and whether it meets it. */
export interface Figure {
  section: string;
  figure: string;
  value: number | string | null;
  unit?: string;
  /** Human-readable goal, e.g. "< 20 ms"; empty for figures shown for context only. */
  goal?: string;
  /** true/false against the goal; null when there is no goal. */
  pass: boolean | null;
}

/** What a section hands back to the runner: its figures and the raw numbers behind them. */
export interface SectionResult {
  section: string;
  figures: Figure[];
  details: Record<string, unknown>;
  /** Real time the section took, in seconds. */
  seconds?: number;
}

export const goalBelow = (value: number | null, limit: number) => (value === null ? false : value < limit);
export const goalAtLeast = (value: number | null, limit: number) => (value === null ? false : value >= limit);
export const round = (n: number, digits = 1) => Number(n.toFixed(digits));
