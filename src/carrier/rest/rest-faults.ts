/**
 * Failure injection for resilience tests: the next `times` REST requests (optionally only those whose
 * path contains `pathIncludes`) fail with `status` in Twilio's error shape, or hang without an answer
 * (`hang: true`) until the client gives up or the carrier closes.
 */
export interface RestFault {
  times?: number;
  status?: number;
  hang?: boolean;
  pathIncludes?: string;
}

interface ActiveFault extends Required<Pick<RestFault, "status" | "hang">> {
  left: number;
  pathIncludes?: string;
}

export class RestFaults {
  private faults: ActiveFault[] = [];

  add(fault: RestFault): void {
    this.faults.push({ left: fault.times ?? 1, status: fault.status ?? 500, hang: fault.hang ?? false, pathIncludes: fault.pathIncludes });
  }

  clear(): void {
    this.faults = [];
  }

  take(path: string): ActiveFault | undefined {
    const fault = this.faults.find((f) => !f.pathIncludes || path.includes(f.pathIncludes));
    if (!fault) return undefined;
    fault.left--;
    if (fault.left <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}
