// A stopped worker wakes on the start module (validation) and reads the
// connect module after it (build.sh builds the binding once per family): a
// message whose handler needs the connect module, sent the moment the worker
// wakes, together with a ping, waits for that module and answers as a warm
// worker would.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, launchBrowser, startSandbox } from "./harness.mjs";

let sandbox;
let browser;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser(sandbox);
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

const coreVersion = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version = "(.+)"/m)[1];

/** Stops every worker through CDP and waits until Inlay's reports stopped. */
async function stopWorker(cdp, versions) {
  await cdp.send("ServiceWorker.stopAllWorkers");
  const deadline = Date.now() + 10_000;
  const inlay = () => [...versions.values()].filter((v) => v.scriptURL.startsWith(`chrome-extension://${browser.extensionId}/`));
  while (inlay().length === 0 || inlay().some((v) => v.runningStatus !== "stopped")) {
    if (Date.now() > deadline) throw new Error("Inlay's worker did not stop");
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("right after a wake-up, a connect-family message waits for its module and answers like a warm worker", async () => {
  const page = await browser.openExtensionPage("config.json");
  const cdp = await browser.context.newCDPSession(page);
  const versions = new Map();
  cdp.on("ServiceWorker.workerVersionUpdated", ({ versions: vs }) => vs.forEach((v) => versions.set(v.versionId, v)));
  await cdp.send("ServiceWorker.enable");
  const ask = () =>
    page.evaluate(() =>
      Promise.all([
        chrome.runtime.sendMessage({ type: "ping" }),
        chrome.runtime.sendMessage({ type: "listAccounts" }),
        chrome.runtime.sendMessage({ type: "detect", address: "ana@gmail.com" }),
      ]),
    );
  const warm = await ask();
  assert.deepEqual(warm[0], { ok: true, value: { core: coreVersion } });
  assert.equal(warm[1].ok, true, JSON.stringify(warm[1]));
  assert.equal(warm[2].ok, true, JSON.stringify(warm[2]));
  for (let i = 0; i < 3; i++) {
    await stopWorker(cdp, versions);
    const woken = await ask();
    assert.deepEqual(woken, warm, `wake-up ${i + 1}: the answers differ from a warm worker's`);
  }
  await page.close();
});
