// Output: bench/results.json for machines, a plain-text table for people.
import fs from 'node:fs';

export function writeResults(file, results) {
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

const int = (x) => (x == null ? '-' : Math.round(x).toLocaleString('en-US'));
const dec = (x, d = 1) => (x == null ? '-' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const times = (x) => (x == null ? 'n/a' : `${dec(x, 1)}×`);

/** Left-aligns the first column, right-aligns the rest. */
function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const line = (r) => r.map((v, c) => (c === 0 ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join('  ');
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

function spread(rates) {
  return rates.length > 1 ? `${int(Math.min(...rates))}-${int(Math.max(...rates))}` : '';
}

function targetValue(t) {
  if (t.actual == null) return 'n/a';
  if (t.unit === 'B') return `${int(t.actual)} B`;
  return t.unit === 'ms' ? `${dec(t.actual, 1)} ms` : times(t.actual);
}

export function formatReport(r) {
  const out = [];
  const { machine: m, config: cfg, corpus } = r;
  out.push(`Inlay bench, ${r.date}`);
  out.push(`${m.os} ${m.arch}, ${m.cpus} × ${m.cpuModel}, Node ${m.node}; load average ${dec(m.loadAvg1mAtStart, 2)} at start` +
    `${m.loadAvg1mAtStart > m.cpus / 2 ? ' (busy machine: figures are noisy)' : ''}`);
  out.push(`Corpus: SpamAssassin (${corpus.source}), ${int(corpus.messages)} messages, ${dec(corpus.bytes / 1e6, 1)} MB` +
    `${cfg.quick ? ' (--quick subset)' : ''}; ${cfg.rounds} round(s), median round shown` +
    `${cfg.gcExposed ? ', GC before each run' : ', no --expose-gc'}`);
  out.push('');

  const parsers = Object.values(r.parse);
  out.push('Parse (full decode incl. attachments, one message at a time)');
  out.push(table(['', 'msgs/s', 'MB/s', 'p50 µs', 'p99 µs', 'max µs', 'failed', 'msgs/s per round'],
    parsers.map((p) => [p.label, int(p.opsPerSec), dec(p.mbPerSec, 1), dec(p.p50Us), dec(p.p99Us), dec(p.maxUs), int(p.failed), spread(p.roundsOpsPerSec)])));
  out.push('');

  const builders = Object.values(r.build.contenders);
  out.push(`Build (${r.build.fixture})`);
  out.push(table(['', 'msgs/s', 'p50 µs', 'p99 µs', 'out bytes', 'content ok', 'msgs/s per round'],
    builders.map((b) => [b.label, int(b.opsPerSec), dec(b.p50Us), dec(b.p99Us), int(b.outputBytes), b.content.ok ? 'yes' : `NO (${failedChecks(b.content)})`, spread(b.roundsOpsPerSec)])));
  out.push('');

  if (r.wakeup) {
    const w = r.wakeup;
    if (w.skipped) out.push(`Service-worker wake-up: skipped (${w.skipped})`);
    else {
      out.push(`Service-worker wake-up (message to a stopped worker until it answers; ${w.iterations} each, alternating; Chromium ${w.chromium})`);
      out.push(table(['', 'median ms', 'min ms', 'max ms'],
        [['Inlay ping (start module)', dec(w.inlay.medianMs), dec(w.inlay.minMs), dec(w.inlay.maxMs)],
          ['Inlay listAccounts (+ connect module)', dec(w.inlayConnect.medianMs), dec(w.inlayConnect.minMs), dec(w.inlayConnect.maxMs)],
          ['bare MV3 worker', dec(w.bare.medianMs), dec(w.bare.minMs), dec(w.bare.maxMs)]]));
      out.push(`  Inlay adds ${dec(w.addedMs)} ms at the median to a ping, ${dec(w.addedConnectMs)} ms to a message its connect module answers`);
    }
    out.push('');
  }

  if (r.wasm) {
    out.push(`WASM shipped: ${r.wasm.path} ${int(r.wasm.rawBytes)} B raw, ${int(r.wasm.gzipBytes)} B gzip -9; the mail module's initSync ${dec(r.wasm.initMs, 1)} ms`);
    for (const m of r.wasm.modules ?? []) out.push(`  ${m.family.padEnd(8)} ${int(m.rawBytes).padStart(10)} B raw ${int(m.gzipBytes).padStart(9)} B gzip -9${m.shipped ? '' : '  (not shipped yet)'}`);
    if (r.wasm.wakeUp) out.push(`  read on every wake-up: ${r.wasm.wakeUp.family} ${int(r.wasm.wakeUp.gzipBytes)} B gzip -9`);
    if (r.wasm.htmlStackIn) out.push(`  the HTML stack (ammonia, html5ever, cssparser) in: ${r.wasm.htmlStackIn.join(', ') || 'no module'} (only compose should have it)`);
    const c = r.wasm.contributors;
    if (c?.skipped) out.push(`  contributors: skipped (${c.skipped})`);
    else if (c) {
      out.push(`  contributors, from the connect module's named release build before wasm-bindgen and wasm-opt (${int(c.namedModule.rawBytes)} B raw):`);
      out.push(`  sections: ${c.sections.map((x) => `${x.name} ${int(x.bytes)}`).join(', ')}`);
      out.push(`  code by crate: ${c.crates.map((x) => `${x.crate} ${dec(x.share)}%`).join(', ')}`);
      out.push('  largest functions:');
      for (const f of c.functions.slice(0, 8)) out.push(`    ${int(f.bytes).padStart(7)} B  ${f.name.slice(0, 110)}`);
    }
    out.push('');
  }

  out.push('Targets (reported, not enforced)');
  out.push(table(['', 'measured', 'target', ''],
    r.targets.map((t) => [t.label, targetValue(t), t.target, t.met == null ? 'n/a (no core)' : t.met ? 'met' : 'NOT met'])));
  if (r.ratios.parseVsMailparser != null) out.push(`  (parse: core ÷ mailparser ${times(r.ratios.parseVsMailparser)})`);
  out.push('');

  out.push('Sanity: same Subject decoded (failed parses count as disagreement)');
  for (const [pair, a] of Object.entries(r.agreement)) {
    out.push(`  ${pair.replace('~', ' vs ')}: ${dec(a.percent, 2)}% (${int(a.same)} of ${int(a.of)})`);
  }
  return out.join('\n');
}

function failedChecks(content) {
  return Object.entries(content.checks).filter(([, ok]) => !ok).map(([k]) => k).join(', ');
}
