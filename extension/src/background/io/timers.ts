// Waiting, for the waits the core plans (a Retry-After, a backoff, a flow's timer).

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
