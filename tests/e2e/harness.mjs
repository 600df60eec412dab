// End-to-end harness: the local sandbox of provider hosts plus Debian's
// Chromium with the built extension loaded. Chromium resolves the production
// hostnames to the sandbox (--host-resolver-rules) and trusts only the
// sandbox's own certificate (--ignore-certificate-errors-spki-list), so the
// extension runs with its real URLs and nothing leaves the machine.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { recordEgress } from "./egress.mjs";

export const ROOT = resolve(import.meta.dirname, "../..");
// INLAY_DIST: run against another build (e.g. a copy, while dist/ is being rebuilt).
export const DIST = process.env.INLAY_DIST ? resolve(process.env.INLAY_DIST) : join(ROOT, "dist");
export const CHROMIUM = process.env.INLAY_CHROMIUM ?? "/usr/lib/chromium/chromium";

/** The extension ID Chromium derives from the manifest's fixed public key. */
export function extensionId() {
  const { key } = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8"));
  const hex = createHash("sha256").update(Buffer.from(key, "base64")).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
}

/** The published API contracts beside the repository, which the sandbox serves from. */
export const CONTRACTS = resolve(ROOT, "../shared/contracts");

/**
 * Stops the run with one line when the contracts are missing (a checkout
 * without ../shared), instead of a sandbox that fails to start.
 */
export function requireContracts() {
  const missing = ["gmail", "graph", "ews", "ispdb"].filter((part) => !existsSync(join(CONTRACTS, part)));
  if (missing.length === 0) return;
  const what = existsSync(CONTRACTS) ? `has no ${missing.join(", ")}` : "is missing";
  process.stderr.write(
    `${CONTRACTS} ${what}: it must hold the published API contracts (gmail, graph, ews, ispdb); ` +
      "put the steering repo's shared/ folder beside this repository\n",
  );
  process.exit(1);
}

/**
 * Starts the sandbox binary and waits for its ready line.
 * Returns { httpsPort, controlUrl, spki, hosts, control(), stop() }.
 */
export async function startSandbox() {
  requireContracts();
  const bin = join(ROOT, "target/debug/inlay-sandbox");
  const child = spawn(bin, ["--contracts", CONTRACTS], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start in 20 s:\n${stderr}`)), 20_000);
    timer.unref();
    child.once("exit", (code) => reject(new Error(`sandbox exited with ${code}:\n${stderr}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(line));
      } catch {
        reject(new Error(`sandbox printed an unexpected first line: ${line}`));
      }
    });
  });
  if (ready.event !== "ready") throw new Error(`sandbox is not ready: ${JSON.stringify(ready)}`);

  /** Calls the sandbox's control API; returns the parsed JSON (or null). */
  async function control(method, path, body) {
    const res = await fetch(`${ready.controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox control ${method} ${path} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  return {
    ...ready,
    control,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Chromium flags that keep the run hermetic and point production hosts at the sandbox. */
export function chromiumArgs(sandbox, extraArgs = []) {
  const maps = [
    ...sandbox.hosts.map((host) => `MAP ${host} 127.0.0.1:${sandbox.httpsPort}`),
    // Hosts with no TLS at all (the Exchange Autodiscover HTTP probe).
    ...(sandbox.httpHosts ?? []).map((host) => `MAP ${host} 127.0.0.1:${sandbox.httpPort}`),
  ];
  return [
    `--disable-extensions-except=${DIST}`,
    `--load-extension=${DIST}`,
    `--host-resolver-rules=${[...maps, "MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1"].join(", ")}`,
    `--ignore-certificate-errors-spki-list=${sandbox.spki}`,
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    ...extraArgs,
  ];
}

/**
 * Launches Chromium with Inlay loaded, in a fresh profile.
 * Returns { context, worker, extensionId, profileDir, close() }.
 */
/**
 * The build under test must carry the sandbox's OAuth registration: a plain
 * `./build.sh` writes an empty config.json, and every sign-in would then time
 * out far from the cause. Says so in one line instead.
 */
function requireSandboxBuild() {
  const want = JSON.parse(readFileSync(join(ROOT, "config/sandbox.json"), "utf8"));
  const path = join(DIST, "config.json");
  const have = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
  if (Object.entries(want).some(([key, value]) => JSON.stringify(have[key]) !== JSON.stringify(value))) {
    throw new Error(
      `${path} is not the sandbox's OAuth registration: build with INLAY_CONFIG=config/sandbox.json ./build.sh ` +
        "(./build.sh test and ./build.sh demo do this)",
    );
  }
}

export async function launchBrowser(sandbox, { headless = true, extraArgs = [], profileDir: reuse, keepProfile = false } = {}) {
  requireSandboxBuild();
  // A test that restarts the browser passes the same profile and keeps it.
  const profileDir = reuse ?? mkdtempSync(join(tmpdir(), "inlay-profile-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless,
    ignoreDefaultArgs: ["--disable-extensions"],
    args: chromiumArgs(sandbox, extraArgs),
    viewport: { width: 1280, height: 800 },
  });
  const id = extensionId();
  // Before anything else runs in the browser: every request counts.
  const egress = await recordEgress(context, id, sandbox);
  let [worker] = context.serviceWorkers().filter((w) => w.url().startsWith(`chrome-extension://${id}/`));
  worker ??= await context.waitForEvent("serviceworker", {
    predicate: (w) => w.url().startsWith(`chrome-extension://${id}/`),
    timeout: 15_000,
  });
  return {
    context,
    worker,
    extensionId: id,
    profileDir,
    /** Opens one of Inlay's own pages, e.g. "popup.html". */
    async openExtensionPage(path) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${id}/${path}`);
      return page;
    },
    /** Hosts Chromium has sent requests to so far. */
    egressHosts: () => egress.hosts(),
    /** Closes the browser, then fails if it contacted a host outside tests/e2e/egress-allowlist.json. */
    async close() {
      await context.close();
      if (!keepProfile) rmSync(profileDir, { recursive: true, force: true });
      await egress.check();
    },
  };
}

/**
 * One sandbox and one browser for all of a test file's tests: started in a
 * `before` hook, closed (browser first) in an `after` hook. `opened({sandbox,
 * browser})` runs in the same hook once both are up: the file keeps what its
 * tests use (and opens its page). A test that needs a browser of its own
 * launches one with `launchBrowser`.
 */
export function browserForFile(opened) {
  let sandbox;
  let browser;
  before(async () => {
    sandbox = await startSandbox();
    browser = await launchBrowser(sandbox);
    await opened({ sandbox, browser });
  });
  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });
}

/** Stops every service worker through CDP and waits until Inlay's reports stopped. */
export async function stopWorker(browser, page) {
  const cdp = await browser.context.newCDPSession(page);
  const versions = new Map();
  cdp.on("ServiceWorker.workerVersionUpdated", ({ versions: vs }) => vs.forEach((v) => versions.set(v.versionId, v)));
  await cdp.send("ServiceWorker.enable");
  const deadline = Date.now() + 15_000;
  const inlay = () => [...versions.values()].filter((v) => v.scriptURL.startsWith(`chrome-extension://${browser.extensionId}/`));
  const stopped = () => inlay().length > 0 && inlay().every((v) => v.runningStatus === "stopped");
  // Asked again every half second: a worker still finishing its first start (install, activation) can be
  // started again by Chrome for that pending work right after a stop.
  while (!stopped()) {
    if (Date.now() > deadline) throw new Error(`Inlay's worker did not stop: ${JSON.stringify(inlay().map((v) => v.runningStatus))}`);
    await cdp.send("ServiceWorker.stopAllWorkers");
    for (let waited = 0; waited < 500 && !stopped(); waited += 20) await new Promise((r) => setTimeout(r, 20));
  }
  await cdp.detach();
}

/**
 * Evaluates `expression` inside Inlay's content-script world on `page` (the
 * isolated world where a compromised content script would run), via CDP.
 */
export async function evalInContentScript(page, expression) {
  const cdp = await page.context().newCDPSession(page);
  const contexts = [];
  cdp.on("Runtime.executionContextCreated", (event) => contexts.push(event.context));
  await cdp.send("Runtime.enable");
  const world = contexts.find((c) => c.auxData?.type === "isolated" && c.name === "Inlay");
  if (!world) throw new Error(`no Inlay content-script world on ${page.url()}`);
  const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", {
    expression,
    contextId: world.id,
    awaitPromise: true,
    returnByValue: true,
  });
  await cdp.detach();
  if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  return result.value;
}

/**
 * Plays a compromised content script on the sandbox's Gmail page: from Inlay's
 * isolated world it reads storage.local and storage.session, sends each of
 * `forged` to the worker, and takes the page's DOM; then checks the worker
 * still answers a ping. Returns {local, session, replies, dom, ping}.
 */
export async function lootAsContentScript(browser, forged) {
  const gmail = await browser.context.newPage();
  await gmail.goto("https://mail.google.com/mail/u/0/");
  await gmail.waitForFunction(() => document.getElementById("inlay-root")?.dataset.state === "ready");
  return evalInContentScript(
    gmail,
    `(async () => {
      const ask = (m) => chrome.runtime.sendMessage(m).catch((e) => ({ thrown: String(e) }));
      const out = {
        local: await chrome.storage.local.get(null).catch((e) => ({ thrown: String(e) })),
        session: await chrome.storage.session.get(null).catch((e) => ({ thrown: String(e) })),
        replies: [],
      };
      for (const m of ${JSON.stringify(forged)}) out.replies.push(await ask(m));
      out.dom = document.documentElement.outerHTML;
      out.ping = await ask({ type: "ping" });
      return out;
    })()`,
  );
}

/** Writes a Chromium managed policy for Inlay (admin settings); returns a remover. */
export function setManagedPolicy(settings) {
  const dir = "/etc/chromium/policies/managed";
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `inlay-e2e-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ "3rdparty": { extensions: { [extensionId()]: settings } } }));
  return () => rmSync(file, { force: true });
}

/**
 * Grants Inlay host permissions the way a user does in chrome://extensions ›
 * Site access (headless Chromium cannot answer chrome.permissions.request's
 * prompt). Afterwards the extension's own request resolves true at once.
 */
export async function grantHostPermissions(browser, origins) {
  const page = await browser.context.newPage();
  try {
    await page.goto("chrome://extensions");
    for (const origin of origins) {
      await page.evaluate(([id, o]) => chrome.developerPrivate.addHostPermission(id, o), [browser.extensionId, origin]);
    }
  } finally {
    await page.close();
  }
}

/** Reads every row of one object store of Inlay's IndexedDB, from the worker. */
export async function readStore(browser, storeName) {
  return browser.worker.evaluate(
    (name) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("inlay");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction(name).objectStore(name).getAll();
          all.onsuccess = () => {
            resolve(all.result);
            db.close();
          };
          all.onerror = () => reject(all.error);
        };
      }),
    storeName,
  );
}

/**
 * Registers Inlay's mail helper (target/debug/inlay-bridge) for a Chromium
 * profile, as `inlay-bridge install --user-data-dir` does for a user.
 */
export function installBridge(profileDir) {
  const bin = join(ROOT, "target/debug/inlay-bridge");
  if (!existsSync(bin)) throw new Error(`${bin} not found: build it with cargo build -p inlay-bridge (./build.sh test does)`);
  const result = spawnSync(bin, ["install", "--browser", "chromium", "--user-data-dir", profileDir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`inlay-bridge install failed (${result.status}): ${result.stderr}${result.error ?? ""}`);
}

/** A fresh profile directory with the mail helper registered. */
export function profileWithBridge() {
  const profileDir = mkdtempSync(join(tmpdir(), "inlay-profile-"));
  installBridge(profileDir);
  return profileDir;
}

/**
 * Starts real IMAP (Dovecot) and SMTP (aiosmtpd) servers on 127.0.0.1
 * (`inlay-bridge`'s mailservers example: implicit TLS and STARTTLS each, user
 * alice, a self-signed certificate for localhost). Returns its JSON line plus
 * stop(), which closes its stdin.
 */
export async function startMailServers() {
  const bin = join(ROOT, "target/debug/examples/mailservers");
  if (!existsSync(bin)) throw new Error(`${bin} not found: build it with cargo build -p inlay-bridge --examples (./build.sh test does)`);
  const child = spawn(bin, [], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`mail servers did not start in 30 s:\n${stderr}`)), 30_000);
    timer.unref();
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`mail servers exited with ${code}:\n${stderr}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(line));
      } catch {
        reject(new Error(`mail servers printed an unexpected first line: ${line}`));
      }
    });
  });
  return {
    ...info,
    /** Changes alice's IMAP password, as if she changed it at her provider. */
    async setImapPassword(password) {
      const changed = new Promise((r) => lines.once("line", r));
      child.stdin.write(`password ${password}\n`);
      const line = await changed;
      if (JSON.parse(line).event !== "passwordChanged") throw new Error(`mail servers answered ${line}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      timer.unref();
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` every 200 ms for up to 10 s; returns its first truthy value. */
export async function until(check, what) {
  for (let i = 0; i < 50; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
