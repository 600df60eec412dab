// Service-worker wake-up: a message to a stopped worker, until the answer is
// back, for Inlay's worker and for a bare MV3 worker. Inlay is measured twice:
// `ping`, answered by the core's start module (validation), and
// `listAccounts`, the popup's first question, answered once the connect
// module (read after the start module) is in too. The bare worker is
// generated into a temp dir, both loaded in the same headless Chromium and
// measured alternately. Stopping is CDP's ServiceWorker.stopAllWorkers, what
// Chrome does to an idle worker after 30 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

// INLAY_DIST measures another build (e.g. a module before and after a size change).
const DIST = process.env.INLAY_DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
const CHROMIUM = process.env.INLAY_CHROMIUM ?? '/usr/lib/chromium/chromium';

// The smallest worker that answers a message: what any extension pays.
const BARE = {
  'manifest.json': JSON.stringify({ manifest_version: 3, name: 'bare worker (Inlay bench)', version: '1.0', background: { service_worker: 'worker.js' } }),
  'worker.js': 'chrome.runtime.onMessage.addListener((message, sender, reply) => { reply({ ok: true }); });\n',
  'page.html': '<!doctype html><title>bare</title>\n',
};

function bareExtension() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inlay-bench-bare-'));
  for (const [name, text] of Object.entries(BARE)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const idOf = (url) => new URL(url).host;

/** Waits until every extension worker CDP reports is stopped. */
async function stopWorkers(cdp, versions) {
  await cdp.send('ServiceWorker.stopAllWorkers');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const running = [...versions.values()].filter((v) => v.scriptURL.startsWith('chrome-extension://') && v.runningStatus !== 'stopped');
    if (running.length === 0) return;
    if (Date.now() > deadline) throw new Error(`workers still running after stopAllWorkers: ${running.map((v) => v.scriptURL).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// In the extension's own page: the time from sending `type` to the answer.
const roundTrip = async (type) => {
  const t0 = performance.now();
  const reply = await chrome.runtime.sendMessage({ type });
  return { ms: performance.now() - t0, ok: reply?.ok === true };
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;

/**
 * Returns { inlay: {medianMs, minMs, maxMs, samples} (ping), inlayConnect: {...}
 * (listAccounts), bare: {...}, addedMs, addedConnectMs, iterations }
 * or { skipped: reason } when Chromium or dist/ is missing.
 */
export async function benchWakeup({ iterations }) {
  if (!fs.existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (./build.sh test installs it)` };
  if (!fs.existsSync(path.join(DIST, 'manifest.json'))) return { skipped: 'no dist/: build the extension first: ./build.sh' };
  const bare = bareExtension();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'inlay-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${DIST},${bare}`,
      `--load-extension=${DIST},${bare}`,
      // Nothing leaves the machine: ping and listAccounts need no network.
      '--host-resolver-rules=MAP * ~NOTFOUND',
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  try {
    const workers = new Map();
    const seen = (w) => workers.set(idOf(w.url()), w.url());
    context.serviceWorkers().forEach(seen);
    context.on('serviceworker', seen);
    const deadline = Date.now() + 15_000;
    while (workers.size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const ids = [...workers.entries()];
    const inlayId = ids.find(([, url]) => url.endsWith('/background.js'))?.[0];
    const bareId = ids.find(([, url]) => url.endsWith('/worker.js'))?.[0];
    if (!inlayId || !bareId) throw new Error(`extension workers did not start: ${JSON.stringify(ids)}`);

    const pages = {
      // popup.html: an Inlay page whose messages the worker accepts (extension pages).
      inlay: await context.newPage(),
      bare: await context.newPage(),
    };
    await pages.inlay.goto(`chrome-extension://${inlayId}/popup.html`);
    await pages.bare.goto(`chrome-extension://${bareId}/page.html`);
    await pages.inlay.waitForTimeout(1000); // the popup's own first requests settle

    const cdp = await context.newCDPSession(pages.bare);
    const versions = new Map();
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: vs }) => vs.forEach((v) => versions.set(v.versionId, v)));
    await cdp.send('ServiceWorker.enable');

    // inlay: `ping`, answered once the start module is in; inlayConnect:
    // `listAccounts` (what the popup asks first), which needs the connect module.
    const runs = { inlay: ['inlay', 'ping'], inlayConnect: ['inlay', 'listAccounts'], bare: ['bare', 'ping'] };
    const samples = { inlay: [], inlayConnect: [], bare: [] };
    // One warm-up wake each (first compile caches), then alternate the order.
    for (let i = -1; i < iterations; i++) {
      const names = Object.keys(runs);
      const order = i % 2 === 0 ? names : names.reverse();
      for (const name of order) {
        const [page, type] = runs[name];
        await stopWorkers(cdp, versions);
        const { ms, ok } = await pages[page].evaluate(roundTrip, type);
        if (!ok) throw new Error(`${name} worker did not answer ${type}`);
        if (i >= 0) samples[name].push(ms);
      }
    }
    const figures = (xs) => ({ medianMs: round1(median(xs)), minMs: round1(Math.min(...xs)), maxMs: round1(Math.max(...xs)), samples: xs.map(round1) });
    const inlay = figures(samples.inlay);
    const inlayConnect = figures(samples.inlayConnect);
    const bareFig = figures(samples.bare);
    return {
      iterations,
      chromium: context.browser()?.version() ?? null,
      inlay,
      inlayConnect,
      bare: bareFig,
      addedMs: round1(inlay.medianMs - bareFig.medianMs),
      addedConnectMs: round1(inlayConnect.medianMs - bareFig.medianMs),
    };
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(bare, { recursive: true, force: true });
  }
}
