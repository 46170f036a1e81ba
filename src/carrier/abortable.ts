import type { Clock } from "../clock.js";

/** Thrown into a running TwiML document when a REST redirect, a hang-up or a conference end interrupts it. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

/**
 * Waits until `register` calls done, or until the signal aborts. register returns its own cleanup,
 * which runs either way, so no listener or timer outlives the wait.
 */
export function waitUntil<T>(signal: AbortSignal, register: (done: (value: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new Interrupted());
    let cleanup: () => void = () => {};
    const onAbort = () => {
      cleanup();
      reject(new Interrupted());
    };
    signal.addEventListener("abort", onAbort, { once: true });
    cleanup = register((value) => {
      signal.removeEventListener("abort", onAbort);
      cleanup();
      resolve(value);
    });
  });
}

/** Clock time passing (Pause, ring timeouts): never a real timer, so tests advance it explicitly. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return waitUntil<void>(signal, (done) => clock.setTimer(ms, () => done()));
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Interrupted();
}
