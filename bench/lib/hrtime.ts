/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC on Linux): the same clock in every
 * process on the machine, so a send in one process and a receipt in another can be compared.
 */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;
