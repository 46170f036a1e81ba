/** How long a test waits for something that should come before failing with what it waited for. */
export const WAIT_BOUND_MS = 60_000;

/**
 * The promise's value, or a failure naming what never came after `ms`: a bound, not a speed goal, so a
 * lost event fails its test with a reason instead of hanging until the suite's ceiling.
 */
export async function bounded<T>(promise: Promise<T>, what: string, ms = WAIT_BOUND_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}
