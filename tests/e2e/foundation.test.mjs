// The foundation works end to end in a real Chromium: the worker runs the
// WASM core, the popup renders, content scripts mount on both webmail hosts,
// and worker fetches reach the sandbox through production hostnames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, browserForFile } from "./harness.mjs";

let sandbox;
let browser;

browserForFile((opened) => {
  ({ sandbox, browser } = opened);
});

const coreVersion = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version = "(.+)"/m)[1];

test("the service worker instantiates the WASM core and answers a ping with its version", async () => {
  const page = await browser.openExtensionPage("popup.html");
  const reply = await page.evaluate(() => chrome.runtime.sendMessage({ type: "ping" }));
  assert.deepEqual(reply, { ok: true, value: { core: coreVersion } });
  await page.close();
});

test("the worker refuses off-schema messages and keeps running", async () => {
  const page = await browser.openExtensionPage("popup.html");
  const refused = await page.evaluate(() => chrome.runtime.sendMessage({ type: "ping", token: "x" }));
  assert.equal(refused.ok, false);
  assert.equal(refused.error.code, "invalidMessage");
  const again = await page.evaluate(() => chrome.runtime.sendMessage({ type: "ping" }));
  assert.equal(again.ok, true);
  await page.close();
});

test("the popup opens and renders the core's status", async () => {
  const page = await browser.openExtensionPage("popup.html");
  const status = page.locator("#core-status");
  await status.filter({ hasText: "Inlay is running" }).waitFor({ timeout: 10_000 });
  assert.equal(await status.getAttribute("data-state"), "ready");
  assert.match(await status.textContent(), new RegExp(`core ${coreVersion.replaceAll(".", "\\.")}`));
  assert.equal(await page.locator("h1").textContent(), "Inlay");
  await page.close();
});

for (const [name, url] of [
  ["mail.google.com", "https://mail.google.com/mail/u/0/"],
  ["outlook.office.com", "https://outlook.office.com/mail/"],
]) {
  test(`the content script mounts Inlay's element on ${name} and reaches the worker`, async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(url);
    assert.equal(response.status(), 200, `${url} is served by the sandbox`);
    const root = page.locator("#inlay-root");
    await root.waitFor({ state: "attached", timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById("inlay-root")?.dataset.state === "ready", null, {
      timeout: 10_000,
    });
    // Inlay's version is not written on the host page's DOM.
    assert.equal(await root.getAttribute("data-core"), null);
    assert.ok(!(await page.content()).includes(coreVersion), "the page's DOM names Inlay's version");
    // The element's inside is a closed shadow root: the page cannot read into it.
    assert.equal(await page.evaluate(() => document.getElementById("inlay-root").shadowRoot), null);
    // Inlay never puts WASM or its scripts into the page itself.
    const pageScripts = await page.evaluate(() => [...document.scripts].map((s) => s.src).filter(Boolean));
    assert.ok(pageScripts.every((src) => !src.startsWith("chrome-extension://")), pageScripts.join(", "));
    await page.close();
  });
}

test("a service-worker fetch reaches a sandbox host through its production hostname", async () => {
  await sandbox.control("DELETE", "/requests");
  const result = await browser.worker.evaluate(async () => {
    const res = await fetch("https://gmail.googleapis.com/gmail/v1/users/me/profile");
    return { status: res.status, body: await res.json() };
  });
  // No token: the fake answers as Gmail does, with Google's error shape.
  assert.equal(result.status, 401);
  assert.equal(result.body.error.code, 401);
  const recorded = await sandbox.control("GET", "/requests?host=gmail.googleapis.com");
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0].method, "GET");
  assert.equal(recorded[0].path, "/gmail/v1/users/me/profile");
});


test("when the worker can't say what of the admin policy applies, the app page says so in its words", async () => {
  const page = await browser.context.newPage();
  // The worker's refusal as the page receives it (a reply with ok: false), for policyStatus only.
  await page.addInitScript(() => {
    const send = chrome.runtime.sendMessage.bind(chrome.runtime);
    chrome.runtime.sendMessage = (message, ...rest) =>
      message?.type === "policyStatus"
        ? Promise.resolve({ ok: false, error: { code: "internal", message: "Something went wrong inside Inlay: the policy could not be read." } })
        : send(message, ...rest);
  });
  await page.goto(`chrome-extension://${browser.extensionId}/app.html`);
  const alert = page.locator(".policy-notice [role=alert]");
  await alert.waitFor({ timeout: 10_000 });
  assert.equal(await alert.innerText(), "Something went wrong inside Inlay: the policy could not be read.");
  await page.close();
});
