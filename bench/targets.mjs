// The performance targets. Reported as met / not met, never as a failed run:
// the machine is noisy (+-20 %) and the figures are for people to judge.

export const TARGETS = [
  { id: 'parse', label: 'parse: core ÷ postal-mime', min: 30, unit: '×', value: (r) => r.ratios.parseVsPostalMime },
  { id: 'parseLean', label: 'parse, lean (sync): core ÷ postal-mime', min: 30, unit: '×', value: (r) => r.ratios.parseLeanVsPostalMime },
  { id: 'build', label: 'build: core ÷ MailComposer', min: 10, unit: '×', value: (r) => r.ratios.buildVsMailComposer },
  { id: 'wakeup', label: 'wake-up (ping): Inlay − bare worker, median', max: 15, unit: 'ms', value: (r) => r.wakeup?.addedMs ?? null },
  { id: 'wakeupConnect', label: 'wake-up (listAccounts): Inlay − bare worker, median', max: 15, unit: 'ms', value: (r) => r.wakeup?.addedConnectMs ?? null },
  // 1 KB = 1,000 bytes: the stricter reading of "500 KB" (issue 9).
  { id: 'wasm', label: 'wasm shipped, gzip -9', max: 500_000, unit: 'B', value: (r) => r.wasm?.gzipBytes ?? null },
];

export function evaluateTargets(results) {
  return TARGETS.map(({ id, label, min, max, unit, value }) => {
    const actual = value(results);
    const met = actual == null ? null : min != null ? actual >= min : actual <= max;
    const target = min != null ? `≥ ${min}${unit}` : `≤ ${max.toLocaleString('en-US')} ${unit}`;
    return { id, label, target, actual, unit, met };
  });
}
