import { z } from "zod";

/** Language codes of the contract, in the order of the shipped language menu. */
export const LANGUAGES = ["th", "my", "km", "lo", "vi", "zh", "mfa", "en"] as const;
export const languageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof languageSchema>;

/** English names, for logs, the CLI and pages; each language's own name lives in its prompt file. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  th: "Thai",
  my: "Burmese",
  km: "Khmer",
  lo: "Lao",
  vi: "Vietnamese",
  zh: "Chinese (Mandarin)",
  mfa: "Yawi (Pattani Malay)",
  en: "English",
};
