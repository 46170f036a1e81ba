/** The keys one <Gather> has heard, and whether they complete it (numDigits reached or finishOnKey pressed). */
export class DigitCollector {
  digits = "";
  finishedOnKey = "";
  done = false;
  /** Any key at all, finishOnKey included: it stops nested prompts (barge-in). */
  touched = false;

  constructor(
    private readonly numDigits: number | undefined,
    private readonly finishOnKey: string,
  ) {}

  push(key: string): void {
    if (this.done) return;
    this.touched = true;
    if (this.finishOnKey !== "" && key === this.finishOnKey) {
      this.finishedOnKey = key;
      this.done = true;
      return;
    }
    this.digits += key;
    if (this.numDigits !== undefined && this.digits.length >= this.numDigits) this.done = true;
  }
}
