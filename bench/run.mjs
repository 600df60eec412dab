#!/usr/bin/env node
// Inlay's benchmark: the core (Rust/WASM, through its real JS binding) against the
// JS mail libraries it replaces, in one Node process. See `--help`.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadCorpus, evenly } from './corpus.mjs';
import { timeParse, timeBuild, runRounds, collectGarbage } from './timing.mjs';
import { medianRound, ratio } from './stats.mjs';
import { peerParsers, peerBuilders } from './peers.mjs';
import { loadCore, CoreMissingError } from './core.mjs';
import { FIXTURE } from './fixture.mjs';
import { subjectAgreement, builtMatchesFixture } from './agreement.mjs';
import { evaluateTargets } from './targets.mjs';
import { benchWakeup } from './wakeup.mjs';
import { htmlStackIn, moduleSizes, sizeContributors } from './size.mjs';
import { writeResults, formatReport } from './report.mjs';

const USAGE = `usage: node bench/run.mjs [--quick] [--peers-only] [--no-wakeup] [--rounds N] [--out FILE]
  --quick       500 messages, 1 round, fewer builds and wake-ups (smoke test, seconds)
  --no-wakeup   skip the service-worker wake-up (it starts Chromium)
  --peers-only  skip the core (no dist/wasm needed)
  --rounds N    rounds per contender (default 3; the median round is reported)
  --out FILE    results file (default bench/results.json)`;

function parseArgs(argv) {
  const opts = { quick: false, peersOnly: false, wakeup: true, rounds: null, out: fileURLToPath(new URL('./results.json', import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--peers-only') opts.peersOnly = true;
    else if (a === '--no-wakeup') opts.wakeup = false;
    else if (a === '--rounds') opts.rounds = Number(argv[++i]);
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else { console.error(`unknown argument ${a}\n${USAGE}`); process.exit(2); }
  }
  if (opts.rounds !== null && !(Number.isInteger(opts.rounds) && opts.rounds > 0)) {
    console.error(`--rounds wants a positive integer\n${USAGE}`); process.exit(2);
  }
  return opts;
}

// Forced GC between runs keeps one contender's garbage off the next one's clock;
// that needs --expose-gc, so re-run this script under it (once: the env guard).
function respawnWithGc() {
  if (typeof globalThis.gc === 'function' || process.env.INLAY_BENCH_CHILD) return;
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, INLAY_BENCH_CHILD: '1' } });
  process.exit(r.status ?? 1);
}

const log = (msg) => process.stderr.write(`${msg}\n`);

/** Parse phase: warm-up, timed rounds, then the subject agreement between parsers. */
async function benchParse(parsers, corpus, cfg) {
  const warm = evenly(corpus.messages, cfg.warmupMessages);
  for (const p of parsers) await timeParse(p, warm, 0); // JIT, WASM tier-up, lazy init
  const runs = await runRounds(parsers, cfg.rounds, async (p) => {
    const run = await timeParse(p, corpus.messages, corpus.bytes);
    log(`  parse ${p.label}: ${Math.round(run.summary.opsPerSec)} msgs/s`);
    return run;
  });

  const figures = {};
  const subjects = {};
  for (const p of parsers) {
    const last = runs[p.name].at(-1);
    figures[p.name] = { label: p.label, ...medianRound(runs[p.name].map((x) => x.summary)), failures: last.errors.slice(0, 5) };
    subjects[p.name] = last.subjects; // the same in every round
  }
  const names = corpus.messages.map((m) => m.name);
  // Every pair, the lean reading (headers only) against the full one included.
  const pairs = parsers.flatMap((a, i) => parsers.slice(i + 1).map((b) => [a.name, b.name]));
  const agreement = Object.fromEntries(pairs.map(([a, b]) => [`${a}~${b}`, subjectAgreement(names, subjects[a], subjects[b])]));
  return { figures, agreement };
}

/** Build phase: warm-up, timed rounds, then a read-back of each builder's output. */
async function benchBuild(builders, cfg) {
  for (const b of builders) await timeBuild(b, cfg.warmupBuilds);
  const runs = await runRounds(builders, cfg.rounds, async (b) => {
    const run = await timeBuild(b, cfg.buildIterations);
    log(`  build ${b.label}: ${Math.round(run.opsPerSec)} msgs/s`);
    return run;
  });
  const contenders = {};
  for (const b of builders) {
    contenders[b.name] = { label: b.label, ...medianRound(runs[b.name]), content: await builtMatchesFixture(await b.build(), FIXTURE) };
  }
  return { fixture: 'text + HTML + 10 KiB attachment, non-ASCII subject', iterations: cfg.buildIterations, contenders };
}

function machine(loadAtStart) {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`, arch: os.arch(), cpus: cpus.length, cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, v8: process.versions.v8,
    loadAvg1mAtStart: Math.round(loadAtStart * 100) / 100,
  };
}

async function main() {
  respawnWithGc();
  const loadAtStart = os.loadavg()[0]; // before our own work: how busy the machine already was
  const opts = parseArgs(process.argv.slice(2));
  const cfg = {
    quick: opts.quick,
    peersOnly: opts.peersOnly,
    rounds: opts.rounds ?? (opts.quick ? 1 : 3),
    sample: opts.quick ? 500 : null,
    warmupMessages: opts.quick ? 100 : 500,
    warmupBuilds: opts.quick ? 50 : 300,
    buildIterations: opts.quick ? 300 : 3000,
    wakeups: opts.quick ? 8 : 40,
    gcExposed: typeof globalThis.gc === 'function',
  };

  // Fail before a minute of peer runs if the core is not built.
  let core = null;
  if (!cfg.peersOnly) {
    try {
      core = await loadCore();
    } catch (e) {
      if (e instanceof CoreMissingError) { console.error(`bench: ${e.message}`); process.exit(1); }
      throw e;
    }
  }

  const corpus = loadCorpus({ sample: cfg.sample });
  log(`bench: ${corpus.messages.length} messages, ${(corpus.bytes / 1e6).toFixed(1)} MB; ${cfg.rounds} round(s)${cfg.gcExposed ? '' : ' (no GC control)'}`);

  const parse = await benchParse([...(core ? [core.parser, core.leanParser] : []), ...peerParsers], corpus, cfg);
  collectGarbage();
  const build = await benchBuild([...(core ? [core.builder] : []), ...peerBuilders], cfg);
  let wakeup = null;
  if (core && opts.wakeup) {
    log(`  wake-up: ${cfg.wakeups} stopped-worker round trips each, Inlay and a bare worker, in Chromium`);
    wakeup = await benchWakeup({ iterations: cfg.wakeups }).catch((e) => ({ skipped: `failed: ${e.message}` }));
  }

  const results = {
    schema: 1,
    date: new Date().toISOString(),
    machine: machine(loadAtStart),
    config: cfg,
    corpus: { source: corpus.source, messages: corpus.messages.length, bytes: corpus.bytes, ofTotal: corpus.totalFiles, perGroup: corpus.perGroup },
    versions: { core: core?.version ?? null, ...Object.fromEntries([...peerParsers, ...peerBuilders].map((p) => [p.pkg, p.version])) },
    parse: parse.figures,
    build,
    agreement: parse.agreement,
    wasm: core ? { ...moduleSizes(), htmlStackIn: htmlStackIn(), glue: core.glue, initMs: Math.round(core.initMs * 10) / 10, contributors: sizeContributors() } : null,
    wakeup,
    ratios: {
      parseVsPostalMime: ratio(parse.figures.core?.opsPerSec, parse.figures['postal-mime'].opsPerSec),
      parseLeanVsPostalMime: ratio(parse.figures['core-lean']?.opsPerSec, parse.figures['postal-mime'].opsPerSec),
      parseVsMailparser: ratio(parse.figures.core?.opsPerSec, parse.figures.mailparser.opsPerSec),
      buildVsMailComposer: ratio(build.contenders.core?.opsPerSec, build.contenders.mailcomposer.opsPerSec),
    },
  };
  results.targets = evaluateTargets(results);

  writeResults(opts.out, results);
  console.log(formatReport(results));
  console.log(`\nwritten: ${opts.out}`);
}

main().catch((e) => {
  console.error('bench crashed:', e);
  process.exit(1);
});
