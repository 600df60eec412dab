// Trust boundaries, tested rather than intended: a compromised content script
// gets no tokens and no privileged actions; admin policy (Chrome managed
// storage) refuses view-only seats and team inboxes before any sign-in.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lootAsContentScript, launchBrowser, setManagedPolicy, startSandbox } from "./harness.mjs";
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
      { type: "connect", address: "x@gmail.com", provider: "google", automation: true },
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
