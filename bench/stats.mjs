// Summaries of per-operation latencies (nanoseconds) and of repeated rounds.

/** Nearest-rank percentile of an ascending-sorted array, p in (0, 100]. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * One timed run: `latNs` holds each operation's latency, `wallNs` the whole loop
 * (throughput uses wall time, so per-call overhead of the harness is counted once).
 */
export function summarize({ latNs, wallNs, bytes = 0 }) {
  const sorted = Float64Array.from(latNs).sort();
  const n = sorted.length;
  const secs = wallNs / 1e9;
  return {
    count: n,
    seconds: round(secs, 4),
    opsPerSec: round(n / secs, 1),
    ...(bytes ? { mbPerSec: round(bytes / 1e6 / secs, 2) } : {}),
    p50Us: round(percentile(sorted, 50) / 1e3, 1),
    p99Us: round(percentile(sorted, 99) / 1e3, 1),
    maxUs: round(sorted[n - 1] / 1e3, 1),
  };
}

/**
 * The median round by throughput, so one noisy round (GC, a busy neighbour) does not
 * decide the figure; all rounds' rates are kept to show the spread.
 */
export function medianRound(rounds) {
  const byRate = [...rounds].sort((a, b) => a.opsPerSec - b.opsPerSec);
  const median = byRate[Math.floor((byRate.length - 1) / 2)];
  return { ...median, roundsOpsPerSec: rounds.map((r) => r.opsPerSec) };
}

export function ratio(a, b) {
  return a && b ? round(a / b, 2) : null;
}

export function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
