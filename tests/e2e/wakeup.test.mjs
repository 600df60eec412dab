// A stopped worker wakes on the start module (validation) and reads the
// connect module after it (build.sh builds the binding once per family): a
// message whose handler needs the connect module, sent the moment the worker
// wakes, together with a ping, waits for that module and answers as a warm
// worker would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, browserForFile, stopWorker } from "./harness.mjs";

let browser;

browserForFile((opened) => {
  ({ browser } = opened);
});

const coreVersion = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version = "(.+)"/m)[1];

test("right after a wake-up, a connect-family message waits for its module and answers like a warm worker", async () => {
  const page = await browser.openExtensionPage("config.json");
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
    await stopWorker(browser, page);
    const woken = await ask();
    assert.deepEqual(woken, warm, `wake-up ${i + 1}: the answers differ from a warm worker's`);
  }
  await page.close();
});
