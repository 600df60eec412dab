#!/usr/bin/env node
// The CRM store at scale, in headless Chromium with dist/ loaded (the real
// service worker, the real IndexedDB): figures, not pass/fail.
//
// How the store is filled:
// - 50,000 contacts and their 5,000 companies (one per email domain) come
//   from a generated 50,000-row HubSpot-style CSV imported through the real
//   page requests (crmImportChunk, crmImportPreview, crmImportRun): that
//   import is the "import a 50,000-row CSV" figure (into an empty store);
// - 2,000 deals through the real crmSave (saveDeal), 8 in flight at a time;
// - the timeline entries the import wrote (one per record) are topped up to
//   500,000 by a bench-only path: the page writes generated entries straight
//   into the `inlay` database's timeline store (the page shares the worker's
//   origin), 10,000 per transaction, with the index keys crm/schema.ts's
//   withIndexKeys adds; one contact gets 1,000 of them.
// Last, a second 50,000-row file is imported into the full store (its
// existing addresses and companies read in the run's transaction).
// Then: search as you type (every prefix of a set of words, one request at a
// time, round trip from the page), opening the contact with 1,000 entries
// (crmGet), the database's size (navigator.storage.estimate and the profile's
// IndexedDB folder), and, once the app's contact list exists, scrolling it
// while a PerformanceObserver counts long tasks.
//
// usage: node bench/crm.mjs [--quick] [--only=import,search]   (./build.sh bench runs it after
//   run.mjs with the same arguments; run.mjs's others are ignored here)
//   --quick   a tenth of every count (a smoke test)
//   --only=…  only these of the later steps: timeline (the fill), search, open (the record; needs
//             timeline), scroll, size, full (the second import); the first import and the deals always run
// Results: bench/crm-results.json (INLAY_CRM_BENCH_OUT names another file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const DIST = process.env.INLAY_DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
const CHROMIUM = process.env.INLAY_CHROMIUM ?? '/usr/lib/chromium/chromium';
const log = (msg) => process.stderr.write(`${msg}\n`);

// ---- generated data (deterministic) ----

/** A small seeded PRNG (mulberry32), so every run generates the same store. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Inès', 'João', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Søren', 'Tanya', 'Ugo', 'Vera', 'Wen', 'Ximena', 'Yusuf', 'Zoë'];
const LAST = ['Lovelace', 'Müller', 'Okafor', 'Ivanova', 'García', 'Nakamura', 'Haddad', 'Johansson', 'Rossi', 'Dubois', 'Kowalski', 'Andersen', 'Silva', 'Patel', 'Chen', 'Novak', 'Horvat', 'Costa', 'Schmidt', 'Martin', 'Nguyen', 'Kim', 'Mensah', 'Fischer', 'Moreau', 'Santos'];
const WORDS = ['North', 'Blue', 'Iron', 'Bright', 'Cedar', 'Delta', 'Echo', 'Falcon', 'Granite', 'Harbor', 'Lumen', 'Maple', 'Nimbus', 'Orbit', 'Pioneer', 'Quartz', 'Ridge', 'Summit', 'Tidal', 'Vertex'];
const SUFFIX = ['Labs', 'Systems', 'Logistics', 'Health', 'Foods', 'Energy', 'Studio', 'Partners', 'Works', 'Analytics'];
const TITLES = ['CEO', 'CTO', 'Head of Sales', 'Buyer', 'Engineer', 'Office Manager', 'VP Marketing', 'Account Executive'];
const STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];

const csvField = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** A HubSpot-style export: `rows` contacts at `companies` company domains. */
function generateCsv(rows, companies, seed, tag) {
  const rand = prng(seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const companyNames = Array.from({ length: companies }, (_, i) => `${WORDS[i % WORDS.length]} ${SUFFIX[Math.floor(i / WORDS.length) % SUFFIX.length]} ${i}`);
  const lines = ['First Name,Last Name,Email,Company Name,Phone Number,Job Title,Lifecycle Stage'];
  for (let i = 0; i < rows; i++) {
    const c = i % companies;
    const first = pick(FIRST);
    const last = pick(LAST);
    const email = `${first.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.${last.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.${tag}${i}@co${c}.example`;
    const phone = `+1 555 ${String(1000000 + Math.floor(rand() * 8999999)).slice(0, 7)}`;
    lines.push([first, last, email, companyNames[c], phone, pick(TITLES), pick(STAGES)].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Splits text into chunks of at most `max` UTF-8 bytes, at line ends (the page request's limit is 512 KiB). */
function chunks(text, max = 500_000) {
  const out = [];
  let part = '';
  let bytes = 0;
  for (const line of text.split(/(?<=\n)/)) {
    const size = Buffer.byteLength(line);
    if (bytes + size > max && part) {
      out.push(part);
      part = '';
      bytes = 0;
    }
    part += line;
    bytes += size;
  }
  if (part) out.push(part);
  return out;
}

// ---- figures ----

const round1 = (x) => Math.round(x * 10) / 10;
function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, p50Ms: round1(q(0.5)), p95Ms: round1(q(0.95)), maxMs: round1(s.at(-1)) };
}

function dirBytes(dir) {
  let total = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

/**
 * CPU seconds used so far by this process's descendants that are alive (the
 * run's Chromium: browser, renderers, storage and network services). Unlike
 * wall time, the shared machine's load barely moves it, so two builds can be
 * compared on a busy machine. Linux's /proc only (null elsewhere).
 */
function chromiumCpuSeconds() {
  try {
    const parent = new Map();
    const ticks = new Map();
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parent.set(Number(pid), Number(f[1]));
        ticks.set(Number(pid), Number(f[11]) + Number(f[12])); // utime + stime
      } catch {
        // gone meanwhile
      }
    }
    const ours = (pid) => {
      for (let p = parent.get(pid); p; p = parent.get(p)) if (p === process.pid) return true;
      return false;
    };
    let total = 0;
    for (const [pid, t] of ticks) if (ours(pid)) total += t;
    return total / 100; // USER_HZ
  } catch {
    return null;
  }
}
/** The worker's phases of a run, as text: ": read 12, core 2100, …". */
const phaseText = (phases) => (phases && Object.keys(phases).length ? `: ${Object.entries(phases).map(([k, v]) => `${k} ${v}`).join(', ')}` : '');
const cpuSince = (t0) => (t0 === null ? null : round1(chromiumCpuSeconds() - t0));

// ---- in the extension's page ----

/** Sends one request from the page; answers {ms, reply}. */
const request = async (message) => {
  const t0 = performance.now();
  const reply = await chrome.runtime.sendMessage(message);
  return { ms: performance.now() - t0, reply };
};

/** Many requests with `parallel` in flight; answers each round trip in ms and the first failure. */
const requests = async ({ messages, parallel }) => {
  const times = [];
  let failed = null;
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const message = messages[next++];
      const t0 = performance.now();
      const reply = await chrome.runtime.sendMessage(message);
      times.push(performance.now() - t0);
      if (!reply?.ok && !failed) failed = reply?.error ?? 'no reply';
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { times, failed };
};

/**
 * Bench-only: tops the timeline up to `total` generated entries, straight into the
 * `inlay` database (the worker created it at version 3), `perTx` per
 * transaction; `focus` gets `focusCount` of them. The index key is what
 * crm/schema.ts's withIndexKeys adds to a timeline entry.
 */
const writeTimeline = async ({ total, perTx, focus, focusCount, seed }) => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('inlay');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const read = (store, how) =>
    new Promise((resolve, reject) => {
      const req = how(db.transaction(store).objectStore(store));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  const contactIds = await read('contacts', (s) => s.getAllKeys());
  const before = await read('timeline', (s) => s.count());
  const count = Math.max(0, total - before);
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const id = () => `tl_${Array.from({ length: 16 }, () => alphabet[Math.floor(rand() * 32)]).join('')}`;
  const kinds = ['emailSent', 'emailReceived', 'note', 'task', 'updated'];
  const start = Date.now() - 365 * 86_400_000;
  const t0 = performance.now();
  for (let done = 0; done < count; ) {
    const n = Math.min(perTx, count - done);
    await new Promise((resolve, reject) => {
      const tx = db.transaction('timeline', 'readwrite');
      const store = tx.objectStore('timeline');
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const ref = k < focusCount ? focus : `contact:${contactIds[Math.floor(rand() * contactIds.length)]}`;
        const at = start + Math.floor(rand() * 365 * 86_400_000);
        const kind = kinds[k % kinds.length];
        const entryId = id();
        store.put({ id: entryId, records: [ref], at, kind, summary: `${kind} ${k}`, data: { subject: `Message ${k}` }, ixRecordAt: [[ref, at, entryId]] });
      }
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
    done += n;
  }
  db.close();
  return { ms: performance.now() - t0, before, written: count };
};

/**
 * Ends the trace started on `cdp` and reads the renderer main threads' top-level
 * tasks: how many ran ≥ 50 ms of wall time, and the most thread (CPU) time any
 * task took. A task long by the wall but short on the thread waited for a core
 * (a shared machine), which no change to the page shortens.
 */
async function longTaskCpu(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const events = JSON.parse(text).traceEvents ?? JSON.parse(text);
  const mainThreads = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && mainThreads.has(`${e.pid}:${e.tid}`));
  const long = tasks.filter((e) => e.dur >= 50_000);
  return {
    traceLongTasks: long.length,
    longestTaskThreadMs: round1(Math.max(0, ...long.map((e) => (e.tdur ?? e.dur) / 1000))),
    maxTaskThreadMs: round1(Math.max(0, ...tasks.map((e) => (e.tdur ?? e.dur) / 1000))),
  };
}

/**
 * The app's contact list (app.html#/contacts, a virtualised list whose rows
 * come from crmList in windows) scrolled by the mouse wheel, `steps` times
 * 1,500 px with a frame between, while a PerformanceObserver records long
 * tasks (≥ 50 ms) of the page. Rows are fetched as the view moves, as a user
 * sees them.
 */
async function scrollContacts(context, id, steps) {
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`chrome-extension://${id}/app.html#/contacts`);
    const viewport = page.locator('.viewport');
    await viewport.waitFor({ timeout: 20_000 });
    await page.locator('.viewport .tr[data-id]').first().waitFor({ timeout: 20_000 });
    await page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    });
    const box = await viewport.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // A trace of the page's tasks: a long task's thread time (tdur) against its wall
    // time (dur) says whether the page worked that long or waited for a core.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Tracing.start', { categories: 'toplevel,disabled-by-default-devtools.timeline', transferMode: 'ReturnAsStream' });
    const t0 = Date.now();
    for (let i = 0; i < steps; i++) {
      await page.mouse.wheel(0, 1500);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    }
    await page.waitForTimeout(500); // the last window's rows arrive
    const { tasks, top, rows } = await page.evaluate(() => ({
      tasks: window.__longTasks,
      top: document.querySelector('.viewport').scrollTop,
      rows: document.querySelectorAll('.viewport .tr[data-id]').length,
    }));
    const cpu = await longTaskCpu(cdp);
    return { steps, pixels: Math.round(top), ms: Date.now() - t0, rowsInDom: rows, longTasks: tasks.length, longestMs: round1(Math.max(0, ...tasks)), ...cpu };
  } finally {
    await page.close();
  }
}

// ---- the run ----

export async function benchCrm({ quick = false, only = null } = {}) {
  const runs = (step) => !only || only.includes(step) || (step === 'timeline' && only.includes('open'));
  if (!fs.existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (./build.sh test installs it)` };
  if (!fs.existsSync(path.join(DIST, 'manifest.json'))) return { skipped: 'no dist/: build the extension first: ./build.sh' };
  const scale = quick ? 0.1 : 1;
  const counts = { contacts: 50_000 * scale, companies: 5_000 * scale, deals: 2_000 * scale, timeline: 500_000 * scale, recordTimeline: 1_000 };
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'inlay-bench-crm-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${DIST}`,
      `--load-extension=${DIST}`,
      '--host-resolver-rules=MAP * ~NOTFOUND',
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  const started = Date.now();
  const loadAvg1m = os.loadavg()[0];
  try {
    let [worker] = context.serviceWorkers();
    worker ??= await context.waitForEvent('serviceworker', { timeout: 15_000 });
    const id = new URL(worker.url()).host;
    const page = await context.newPage();
    await page.goto(`chrome-extension://${id}/popup.html`);
    const ask = async (message) => {
      const { ms, reply } = await page.evaluate(request, message);
      if (!reply?.ok) throw new Error(`${message.type} failed: ${JSON.stringify(reply?.error ?? reply)}`);
      return { ms, value: reply.value };
    };

    // The app page reads the settings when it opens; the first read of the
    // managed policy takes Chromium seconds, which no import should carry.
    await ask({ type: 'crmSettings' });

    // 1. Import: stage the chunks, preview, run.
    log(`  crm: importing a ${counts.contacts.toLocaleString('en-US')}-row CSV (${counts.companies.toLocaleString('en-US')} company domains)`);
    const importCsv = async (csv) => {
      const t0 = Date.now();
      const cpu0 = chromiumCpuSeconds();
      let importId = null;
      const parts = chunks(csv);
      for (const [index, text] of parts.entries()) importId = (await ask({ type: 'crmImportChunk', importId, index, text })).value.importId;
      const staged = Date.now();
      const preview = (await ask({ type: 'crmImportPreview', importId })).value;
      const run = await ask({ type: 'crmImportRun', importId, mapping: preview.suggestedMapping });
      // The run's phases as the worker measured them (crm/importCsv.ts's performance.measure).
      const phases = await (context.serviceWorkers()[0] ?? worker)
        .evaluate(() => {
          const out = Object.fromEntries(performance.getEntriesByType('measure').filter((m) => m.name.startsWith('crm import: ')).map((m) => [m.name.slice(12), Math.round(m.duration)]));
          performance.clearMeasures();
          return out;
        })
        .catch(() => null);
      return {
        phasesMs: phases,
        rows: preview.rowCount,
        bytes: Buffer.byteLength(csv),
        chunks: parts.length,
        stageMs: staged - t0,
        runMs: Math.round(run.ms),
        totalMs: Date.now() - t0,
        cpuSeconds: cpuSince(cpu0),
        imported: run.value.imported,
        skipped: run.value.skipped.length,
      };
    };
    const importFigures = await importCsv(generateCsv(counts.contacts, counts.companies, 1, 'a'));
    log(`  crm: import ${importFigures.totalMs} ms (run ${importFigures.runMs} ms${phaseText(importFigures.phasesMs)}, Chromium CPU ${importFigures.cpuSeconds} s), ${importFigures.imported} imported, ${importFigures.skipped} skipped`);

    // 2. Deals through the real handler.
    const settings = (await ask({ type: 'crmSettings' })).value;
    const pipeline = settings.pipelines[0];
    const firstContacts = (await ask({ type: 'crmList', kind: 'contacts', sort: 'name', dir: 'asc', filter: {}, offset: 0, limit: 200 })).value.rows;
    const firstCompanies = (await ask({ type: 'crmList', kind: 'companies', sort: 'name', dir: 'asc', filter: {}, offset: 0, limit: 200 })).value.rows;
    const deal = (i) => ({
      type: 'crmSave',
      command: {
        op: 'saveDeal',
        deal: {
          name: `${WORDS[i % WORDS.length]} renewal ${i}`,
          pipeline: pipeline.id,
          stage: pipeline.stages[i % pipeline.stages.length].id,
          amount: `${1000 + (i % 97) * 125}.00`,
          currency: null,
          closeDate: `2027-0${1 + (i % 9)}-1${i % 10}`,
          contactIds: [firstContacts[i % firstContacts.length].id],
          companyId: firstCompanies[i % firstCompanies.length].id,
          owner: null,
        },
      },
    });
    const dealRun = await page.evaluate(requests, { messages: Array.from({ length: counts.deals }, (_, i) => deal(i)), parallel: 8 });
    if (dealRun.failed) throw new Error(`saveDeal failed: ${JSON.stringify(dealRun.failed)}`);
    const dealFigures = { count: counts.deals, ...summary(dealRun.times) };
    log(`  crm: ${counts.deals} deals saved, p50 ${dealFigures.p50Ms} ms`);

    // 3. The timeline topped up to its count (bench-only path), 1,000 entries on one contact.
    const focus = `contact:${firstContacts[0].id}`;
    const written = runs('timeline') ? await page.evaluate(writeTimeline, { total: counts.timeline, perTx: 10_000, focus, focusCount: counts.recordTimeline, seed: 7 }) : { written: 0, before: 0, ms: 0 };
    const toWrite = written.written;
    if (runs('timeline')) log(`  crm: ${written.before.toLocaleString('en-US')} timeline entries from the import and deals, ${toWrite.toLocaleString('en-US')} written in ${Math.round(written.ms)} ms`);

    // 4. Search as you type: every prefix of each word, one after another.
    const words = ['lovelace', 'chloe', 'müller', 'nakamura', 'granite', 'summit labs', 'ada.l', 'co42', 'zoe santos', 'pioneer', 'renewal', 'haddad', 'ines', 'johansson', 'quartz works'];
    const queries = words.flatMap((w) => Array.from({ length: w.length }, (_, i) => w.slice(0, i + 1)));
    const searchFigures = runs('search') ? await searchAsYouType(queries) : null;
    async function searchAsYouType(queries) {
    for (const q of queries.slice(0, 10)) await ask({ type: 'crmSearch', query: q, limit: 12 }); // warm-up
    const searchTimes = [];
    const cpu0 = chromiumCpuSeconds();
    let hits = 0;
    for (const q of queries) {
      const { ms, value } = await ask({ type: 'crmSearch', query: q, limit: 12 });
      searchTimes.push(ms);
      hits += value.length;
    }
    const slowest = queries.map((q, i) => [q, round1(searchTimes[i])]).sort((a, b) => b[1] - a[1]).slice(0, 6);
    const figures = { queries: queries.length, meanHits: round1(hits / queries.length), ...summary(searchTimes), cpuSeconds: cpuSince(cpu0), slowest };
    log(`  crm: search p95 ${figures.p95Ms} ms over ${queries.length} prefixes (Chromium CPU ${figures.cpuSeconds} s)`);
    return figures;
    }

    // 5. Opening the record with 1,000 timeline entries.
    const openFigures = runs('open') ? await openRecord() : null;
    async function openRecord() {
    const openTimes = [];
    let shown = 0;
    for (let i = 0; i < 21; i++) {
      const { ms, value } = await ask({ type: 'crmGet', record: focus });
      if (i > 0) openTimes.push(ms); // the first is a warm-up
      shown = value.timeline.length;
    }
    const figures = { timelineEntries: counts.recordTimeline, firstPage: shown, ...summary(openTimes) };
    log(`  crm: open record p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms`);
    return figures;
    }

    // 6. Scrolling the contact list (the app's virtualised list) while long tasks are counted.
    const scroll = !runs('scroll') ? null : await scrollContacts(context, id, quick ? 20 : 60).catch((e) => ({ skipped: `failed: ${e.message}` }));
    if (scroll) log(`  crm: scrolling ${scroll.skipped ?? `longest task ${scroll.longestMs} ms, ${scroll.longTasks} long tasks; on the thread, the longest task ${scroll.maxTaskThreadMs} ms (of the long ones ${scroll.longestTaskThreadMs} ms)`}`);

    // 7. Size on disk.
    const estimate = runs('size') ? await page.evaluate(() => navigator.storage.estimate()) : null;
    const idbDir = path.join(profile, 'Default', 'IndexedDB');
    const size = estimate && { estimateUsageBytes: estimate.usage ?? null, indexedDbDirBytes: dirBytes(idbDir) };
    if (size) log(`  crm: IndexedDB ${(size.indexedDbDirBytes / 1e6).toFixed(1)} MB on disk, ${(size.estimateUsageBytes / 1e6).toFixed(1)} MB by storage.estimate`);

    // 8. The same import again into the full store: every existing address key
    // and company is read in the run's transaction, and every row of the
    // second file is a new contact at the same companies' domains.
    const intoFull = !runs('full') ? null : await importCsv(generateCsv(counts.contacts, counts.companies, 2, 'b'));
    if (intoFull) log(`  crm: second import into the full store ${intoFull.totalMs} ms (run ${intoFull.runMs} ms), ${intoFull.imported} imported`);

    return {
      chromium: context.browser()?.version() ?? null,
      loadAvg1m,
      quick,
      only,
      counts,
      import: importFigures,
      importIntoFull: intoFull,
      deals: dealFigures,
      timelineFill: runs('timeline') && { entries: toWrite, ms: Math.round(written.ms), path: 'bench-only: page writes to the timeline store' },
      search: searchFigures,
      openRecord: openFigures,
      size,
      scroll,
      goals: { searchP95Ms: 30, openRecordMs: 50, importMs: 20_000, longTaskMs: 50 },
      runSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

export function formatCrm(r) {
  if (r.skipped) return `CRM store at scale: skipped (${r.skipped})`;
  const n = (x) => Math.round(x).toLocaleString('en-US');
  const goal = (x, g) => `${x <= g ? 'within' : 'OVER'} the ${n(g)} ms goal`;
  return [
    `CRM store at scale (Chromium ${r.chromium}${r.quick ? ', --quick: a tenth of every count' : ''}${r.only ? `, only ${r.only.join(', ')}` : ''}; ${r.runSeconds} s; load average ${r.loadAvg1m.toFixed(1)} at start on ${os.cpus().length} cores)`,
    `  store: ${n(r.counts.contacts)} contacts, ${n(r.counts.companies)} companies, ${n(r.counts.deals)} deals, ${n(r.counts.timeline)} timeline entries`,
    `  import ${n(r.import.rows)}-row CSV (${(r.import.bytes / 1e6).toFixed(1)} MB, ${r.import.chunks} chunks, into an empty store): ${n(r.import.totalMs)} ms (staging ${n(r.import.stageMs)}, run ${n(r.import.runMs)}${phaseText(r.import.phasesMs)}; Chromium CPU ${r.import.cpuSeconds} s); ${n(r.import.imported)} imported, ${n(r.import.skipped)} skipped; ${goal(r.import.totalMs, r.goals.importMs)}`,
    r.search && `  search as you type (${r.search.queries} prefixes, round trip from the page): p50 ${r.search.p50Ms} ms, p95 ${r.search.p95Ms} ms, max ${r.search.maxMs} ms (Chromium CPU ${r.search.cpuSeconds} s); ${goal(r.search.p95Ms, r.goals.searchP95Ms)}`,
    r.search && `    slowest: ${r.search.slowest.map(([q, ms]) => `"${q}" ${ms} ms`).join(', ')}`,
    r.openRecord && `  open a record with ${n(r.openRecord.timelineEntries)} timeline entries (crmGet, first ${r.openRecord.firstPage} shown): p50 ${r.openRecord.p50Ms} ms, p95 ${r.openRecord.p95Ms} ms; ${goal(r.openRecord.p95Ms, r.goals.openRecordMs)}`,
    r.importIntoFull && `  the same import again into the full store (${n(r.counts.contacts)} contacts and their companies read first): ${n(r.importIntoFull.totalMs)} ms (run ${n(r.importIntoFull.runMs)}${phaseText(r.importIntoFull.phasesMs)}); ${n(r.importIntoFull.imported)} imported, ${n(r.importIntoFull.skipped)} skipped; ${goal(r.importIntoFull.totalMs, r.goals.importMs)}`,
    `  save a deal (crmSave, 8 in flight): p50 ${r.deals.p50Ms} ms, p95 ${r.deals.p95Ms} ms`,
    r.timelineFill && `  timeline fill (${r.timelineFill.path}): ${n(r.timelineFill.entries)} entries in ${n(r.timelineFill.ms)} ms`,
    r.size && `  size on disk: ${(r.size.indexedDbDirBytes / 1e6).toFixed(1)} MB (profile's IndexedDB folder), ${(r.size.estimateUsageBytes / 1e6).toFixed(1)} MB (navigator.storage.estimate)`,
    r.scroll && `  contact list scrolling: ${r.scroll.skipped ? r.scroll.skipped : `longest task ${r.scroll.longestMs} ms, ${r.scroll.longTasks} long tasks ≥ 50 ms over ${r.scroll.steps} scroll steps; thread time of the longest task ${r.scroll.maxTaskThreadMs} ms (the page's work; the rest of a long task is waiting for a core)`}`,
  ].filter(Boolean).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? null;
  const out = process.env.INLAY_CRM_BENCH_OUT ?? fileURLToPath(new URL('./crm-results.json', import.meta.url));
  log(`bench: the CRM store at scale${quick ? ' (--quick)' : ''}, in Chromium`);
  benchCrm({ quick, only })
    .then((r) => {
      fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2)}\n`);
      console.log(formatCrm(r));
      console.log(`\nwritten: ${out}`);
    })
    .catch((e) => {
      console.error('crm bench crashed:', e);
      process.exit(1);
    });
}
