// Trust boundaries, tested rather than intended: a compromised content script
// gets no tokens and no privileged actions; admin policy (Chrome managed
// storage) refuses view-only seats and team inboxes before any sign-in.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evalInContentScript, lootAsContentScript, launchBrowser, setManagedPolicy, startSandbox } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => sandbox?.stop());

const ANN = { provider: "google", address: "ann@gmail.com", displayName: "Ann", aliases: [] };

describe("a content script trying to read tokens or send forged messages", () => {
  let browser;
  afterEach(async () => browser?.close());

  test("gets nothing token-like and no privileged action", async () => {
    await seed(sandbox, { accounts: [ANN] });
    browser = await launchBrowser(sandbox);
    const inbox = await InboxPage.open(browser);
    await inbox.connect(ANN.address, "Gmail");
    // The canaries: every token the sandbox issued during the sign-in.
    const issued = (await sandbox.control("GET", "/oauth/tokens")).map((t) => t.token);
    assert.ok(issued.length >= 2, "an access and a refresh token were issued");

    const loot = await lootAsContentScript(browser, [
      { type: "listAccounts" },
      { type: "disconnect", address: "ann@gmail.com" },
      { type: "connect", address: "x@gmail.com", connect: "google", automation: true },
      { type: "checkAccount", address: "ann@gmail.com" },
      { type: "ping", fetch: "https://gmail.googleapis.com/" },
      { type: "__proto__" },
      { type: "ping", pad: "x".repeat(20000) },
      ["ping"],
      "ping",
      null,
    ]);
    const everything = JSON.stringify(loot);
    for (const token of issued) assert.ok(!everything.includes(token), "a token reached the content script");
    assert.ok("thrown" in loot.session, "storage.session is closed to content scripts");
    for (const reply of loot.replies) assert.equal(reply?.ok, false, JSON.stringify(reply).slice(0, 200));
    assert.equal(loot.ping.ok, true, "the worker keeps running");
    // Nothing was disconnected or connected by the forged messages.
    assert.deepEqual((await inbox.send({ type: "listAccounts" })).value.map((a) => a.state.kind), ["connected"]);
  });
});

/**
 * The worker's memory, read over CDP from its own target (reached through a
 * page's session): the JS heap after a full garbage collection, and the size
 * of the core's WebAssembly memory, which grows for good once a message is
 * copied into it.
 */
async function workerMemory(browser) {
  const page = await browser.openExtensionPage("popup.html");
  const cdp = await browser.context.newCDPSession(page);
  const { targetInfos } = await cdp.send("Target.getTargets");
  const worker = targetInfos.find((t) => t.type === "service_worker" && t.url.startsWith(`chrome-extension://${browser.extensionId}/`));
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: worker.targetId, flatten: false });
  const waiting = new Map();
  let lastId = 0;
  cdp.on("Target.receivedMessageFromTarget", (event) => {
    const reply = JSON.parse(event.message);
    waiting.get(reply.id)?.(reply);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      waiting.set(id, (r) => (r.error ? reject(new Error(`${method}: ${r.error.message}`)) : resolve(r.result)));
      cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  return {
    async measure() {
      await send("HeapProfiler.collectGarbage");
      const { usedSize } = await send("Runtime.getHeapUsage");
      const proto = await send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
      const memories = await send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId });
      const sizes = await send("Runtime.callFunctionOn", {
        objectId: memories.objects.objectId,
        functionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
        returnByValue: true,
      });
      return { jsHeap: usedSize, wasm: sizes.result.value.reduce((a, b) => a + b, 0) };
    },
    close: () => page.close(),
  };
}

const MB = 1024 * 1024;

describe("a content script flooding the worker", () => {
  let browser;
  let gmail;
  let memory;
  beforeEach(async () => {
    browser = await launchBrowser(sandbox);
    memory = await workerMemory(browser);
    gmail = await browser.context.newPage();
    await gmail.goto("https://mail.google.com/mail/u/0/");
    await gmail.waitForFunction(() => document.getElementById("inlay-root")?.dataset.state === "ready");
  });
  afterEach(async () => browser?.close());

  test("a 50 MB message is refused before it reaches the core, and the worker's memory returns to where it was", async () => {
    const before = await memory.measure();
    const reply = await evalInContentScript(
      gmail,
      `chrome.runtime.sendMessage({ type: "ping", pad: "x".repeat(50 * 1024 * 1024) }).catch((e) => ({ thrown: String(e) }))`,
    );
    assert.equal(reply.error?.code, "tooLarge", JSON.stringify(reply).slice(0, 300));
    const after = await memory.measure();
    assert.ok(after.wasm - before.wasm < MB, `the core's memory grew from ${before.wasm} to ${after.wasm} bytes`);
    assert.ok(after.jsHeap - before.jsHeap < 2 * MB, `the worker's heap grew from ${before.jsHeap} to ${after.jsHeap} bytes`);
    // Refused before serialising: the size is not known, only that it is over.
    assert.deepEqual(reply, { ok: false, error: { code: "tooLarge", message: "message refused: it is over the 16384-byte limit" } });
    assert.equal((await evalInContentScript(gmail, `chrome.runtime.sendMessage({ type: "ping" })`)).ok, true);
  });

  test("10,000 random forged messages leave the worker answering and its memory flat", async () => {
    const before = await memory.measure();
    const storm = await evalInContentScript(
      gmail,
      `(async () => {
        let seed = 20261204;
        const pick = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
        const types = ["ping", "listAccounts", "connect", "disconnect", "checkAccount", "imapConnect", "__proto__", "constructor", "toString", ""];
        const fields = ["address", "token", "password", "connect", "pad", "__proto__", "automation"];
        const junk = () => [() => "y".repeat(pick(20000)), () => pick(1e9) - 5e8, () => null, () => [pick(5), "a", {}],
          () => ({ a: { b: { c: "d" } } }), () => true, () => "ann@gmail.com"][pick(7)]();
        const message = () => {
          if (pick(20) === 0) return junk(); // not even an object
          const m = { type: pick(10) === 0 ? junk() : types[pick(types.length)] };
          for (let k = pick(3); k > 0; k--) m[fields[pick(fields.length)]] = junk();
          return m;
        };
        const tally = { answered: 0, accepted: [], thrown: 0 };
        for (let sent = 0; sent < 10000; sent += 100) {
          await Promise.all(Array.from({ length: 100 }, () => {
            const m = message();
            return chrome.runtime.sendMessage(m).then(
              (r) => { tally.answered++; if (r?.ok && m?.type !== "ping") tally.accepted.push(JSON.stringify(m).slice(0, 100)); },
              () => tally.thrown++);
          }));
        }
        tally.ping = await chrome.runtime.sendMessage({ type: "ping" });
        return tally;
      })()`,
    );
    assert.equal(storm.answered, 10000, JSON.stringify(storm).slice(0, 300));
    assert.deepEqual(storm.accepted, [], "only a plain ping is a content script's request");
    assert.equal(storm.ping.ok, true, "the worker still answers");
    const after = await memory.measure();
    assert.ok(after.wasm - before.wasm < MB, `the core's memory grew from ${before.wasm} to ${after.wasm} bytes`);
    assert.ok(after.jsHeap - before.jsHeap < 2 * MB, `the worker's heap grew from ${before.jsHeap} to ${after.jsHeap} bytes`);
  });
});

describe("admin policy through Chrome managed storage", { skip: process.getuid?.() !== 0 && "needs root to write /etc/chromium/policies" }, () => {
  let browser;
  let removePolicy = () => {};
  afterEach(async () => {
    await browser?.close();
    removePolicy();
  });

  test("a view-only seat cannot connect an inbox", async () => {
    await seed(sandbox, { accounts: [ANN] });
    removePolicy = setManagedPolicy({ seat: "viewOnly" });
    browser = await launchBrowser(sandbox);
    const inbox = await InboxPage.open(browser);
    await inbox.startConnect(ANN.address);
    await inbox.button("Connect to Gmail").click();
    await inbox.button("Continue").click();
    assert.match(await inbox.flowError(), /view-only/);
    assert.equal((await sandbox.control("GET", "/oauth/log")).length, 0, "refused before any sign-in");
  });

  test("a workspace that allows only Microsoft refuses a Gmail inbox before any sign-in", async () => {
    await seed(sandbox, { accounts: [ANN] });
    removePolicy = setManagedPolicy({ allowedProviders: ["microsoft"] });
    browser = await launchBrowser(sandbox);
    const inbox = await InboxPage.open(browser);
    await inbox.startConnect(ANN.address);
    await inbox.button("Connect to Gmail").click();
    await inbox.button("Continue").click();
    assert.match(await inbox.flowError(), /doesn't allow|not allow/);
    assert.equal((await sandbox.control("GET", "/oauth/log")).length, 0);
  });

  test("a personal inbox the admin later lists as a team inbox is flagged, in the core's words", async () => {
    await seed(sandbox, { accounts: [ANN] });
    const profileDir = mkdtempSync(join(tmpdir(), "inlay-profile-"));
    browser = await launchBrowser(sandbox, { profileDir, keepProfile: true });
    await (await InboxPage.open(browser)).connect(ANN.address, "Gmail");
    await browser.close();
    removePolicy = setManagedPolicy({ teamInboxes: ["Ann@gmail.com"] });
    browser = await launchBrowser(sandbox, { profileDir });
    const inbox = await InboxPage.open(browser);
    const warning = inbox.account(ANN.address).locator(".warning");
    await warning.waitFor({ timeout: 10_000 });
    assert.match(await warning.innerText(), /personal inbox, so it can't also be a team inbox/);
  });

  test("a badly shaped policy is not trusted, and the app page says what was ignored and why", async () => {
    // Chromium itself drops values its schema refuses (a wrong type, an unknown key); these pass it.
    removePolicy = setManagedPolicy({
      googleClientId: " ",
      teamInboxes: ["team@acme-corp.example", "sales team"],
      mailSettings: [{ settings: { sameCredentials: true } }],
    });
    browser = await launchBrowser(sandbox);
    const app = await browser.openExtensionPage("app.html");
    const notice = app.locator(".policy-notice");
    await notice.waitFor({ timeout: 10_000 });
    const items = await notice.locator("li").evaluateAll((lis) => lis.map((li) => [li.dataset.key, li.textContent]));
    assert.deepEqual(
      items.map(([key]) => key),
      ["googleClientId", "teamInboxes", "mailSettings"],
      JSON.stringify(items),
    );
    assert.match(items[0][1], /"googleClientId": it is ignored: it is empty\. Inlay uses its built-in setting/);
    assert.match(items[1][1], /entry 2 is not an address: "sales team" contains a space/);
    assert.match(items[2][1], /entry 1 has no "domain"/);
    // The build's Google client still applies: a Gmail inbox connects.
    await seed(sandbox, { accounts: [ANN] });
    const inbox = await InboxPage.open(browser);
    assert.match(await inbox.connect(ANN.address, "Gmail"), /Connected/);
  });

  test("a team inbox cannot be connected as a personal inbox", async () => {
    await seed(sandbox, { accounts: [ANN] });
    removePolicy = setManagedPolicy({ teamInboxes: ["ann@gmail.com"] });
    browser = await launchBrowser(sandbox);
    const inbox = await InboxPage.open(browser);
    await inbox.startConnect(ANN.address);
    await inbox.button("Connect to Gmail").click();
    await inbox.button("Continue").click();
    assert.match(await inbox.flowError(), /team inbox/);
  });
});
