// The connect flow as a person uses it: keyboard only, cancelling half way,
// choosing the provider by hand, refusals before any sign-in; and Microsoft
// specifics: personal accounts, the 24-hour silent renewal, sign-out on
// disconnect.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startSandbox, until } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

let sandbox;
let browser;
let inbox;

const ANN = { provider: "google", address: "ann@gmail.com", displayName: "Ann Archer", aliases: ["ann.sales@gmail.com"] };
const BOB = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker" };
const DEE = { provider: "microsoft", address: "dee@outlook.com", displayName: "Dee Day" };
const DNS = [
  { name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." },
  { name: "shop.example", type: "MX", data: "10 inbound-smtp.us-east-1.amazonaws.com." },
];

before(async () => {
  sandbox = await startSandbox();
});
after(async () => sandbox?.stop());
beforeEach(async () => {
  await seed(sandbox, { accounts: [ANN, BOB, DEE], dns: DNS });
  browser = await launchBrowser(sandbox);
  inbox = await InboxPage.open(browser);
});
afterEach(async () => browser?.close());

const oauthLog = () => sandbox.control("GET", "/oauth/log");
const focused = (page) => page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.id);

describe("the connect flow", () => {
  test("works with the keyboard alone, each screen focusing its main action", async () => {
    const { page } = inbox;
    await inbox.button("Connect personal email").focus();
    await page.keyboard.press("Enter");
    assert.equal(await focused(page), "Connect your inbox");
    await page.keyboard.press("Enter");
    assert.equal(await focused(page), "connect-email");
    await page.keyboard.type(ANN.address);
    await page.keyboard.press("Enter");
    await page.locator(".evidence").waitFor();
    assert.equal(await focused(page), "Connect to Gmail");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "What to expect" }).waitFor();
    assert.equal(await focused(page), "Continue");
    await page.keyboard.press("Enter");
    await page.locator(".connect .success").waitFor({ timeout: 15_000 });
    assert.equal(await focused(page), "Done");
    await page.keyboard.press("Enter");
    await inbox.waitAccountState(ANN.address, "connected");
  });

  test("can be cancelled while the sign-in window is open, leaving nothing behind", async () => {
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { requireClick: true } });
    const consentWindow = browser.context.waitForEvent("page", { predicate: (p) => p.url().includes("accounts.google.com") });
    await inbox.startConnect(ANN.address);
    await inbox.chooseAndContinue("Gmail");
    const consent = await consentWindow;
    await inbox.page.locator(".connect [role=status]").filter({ hasText: "Waiting for you to sign in" }).waitFor();
    await inbox.button("Cancel").click();
    await inbox.button("Connect personal email").waitFor();
    // The person closes the abandoned sign-in window; nothing comes of it.
    await consent.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual((await inbox.send({ type: "listAccounts" })).value, []);
    assert.equal((await oauthLog()).filter((e) => e.endpoint === "token").length, 0);
  });

  test("a consent page that needs a click completes when the person allows", async () => {
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { requireClick: true } });
    const consentWindow = browser.context.waitForEvent("page", { predicate: (p) => p.url().includes("accounts.google.com") });
    await inbox.startConnect(ANN.address);
    await inbox.chooseAndContinue("Gmail");
    const consent = await consentWindow;
    await consent.getByRole("button", { name: "Allow" }).click();
    assert.match(await inbox.waitConnected(), /ann\.sales@gmail\.com/);
  });

  test("the app page's Settings › Email runs the same flow, and the popup links to it", async () => {
    const opened = browser.context.waitForEvent("page", { predicate: (p) => p.url().endsWith("/app.html") });
    await inbox.page.getByRole("link", { name: /Open Inlay/ }).click();
    const app = new InboxPage(await opened);
    await app.page.getByRole("link", { name: "Email", exact: true }).click();
    await app.page.locator('#core-status[data-state="ready"]').waitFor();
    assert.match(await app.page.locator(".crumbs").innerText(), /Settings › Email/);
    assert.match(await app.connect(ANN.address, "Gmail"), /Connected ann@gmail\.com/);
    // The popup sees the same inbox.
    await inbox.page.reload();
    await inbox.waitAccountState(ANN.address, "connected");
  });

  test("'I want to choose my email provider myself' offers all four kinds", async () => {
    await inbox.startConnect(ANN.address);
    await inbox.page.getByRole("link", { name: "I want to choose my email provider myself" }).click();
    for (const label of ["Gmail", "Microsoft", "Exchange", "IMAP"]) await inbox.button(`Connect to ${label}`).waitFor();
    // The password forms ask for host permissions, whose prompt would close the popup: they continue in a tab.
    const [tab] = await Promise.all([browser.context.waitForEvent("page"), inbox.button("Connect to Exchange").click()]);
    await tab.getByLabel("Password", { exact: true }).waitFor();
    assert.match(await tab.locator(".exchange").innerText(), new RegExp(`Connect ${ANN.address.replace(".", "\\.")}`));
    assert.equal(new URL(tab.url()).pathname, "/app.html");
    assert.equal(new URL(tab.url()).hash, "", "the address bar is cleaned, so a reload shows the inbox list");
  });

  test("an Amazon SES / WorkMail address is refused before any sign-in, with what to do instead", async () => {
    const shown = await inbox.startConnect("sam@shop.example");
    assert.match(shown, /Amazon/);
    assert.match(shown, /Gmail|Google|Microsoft 365/);
    assert.equal(await inbox.page.getByRole("button", { name: /^Connect to / }).count(), 0);
    assert.equal((await oauthLog()).length, 0);
  });

  test("an invalid address is refused with what is wrong", async () => {
    await inbox.button("Connect personal email").click();
    await inbox.button("Connect your inbox").click();
    await inbox.page.getByLabel("Your email address").fill("ann@localhost");
    await inbox.button("Next").click();
    assert.match(await inbox.flowError(), /ann@localhost|domain/i);
  });
});

describe("Microsoft specifics", () => {
  test("a personal account connects; disconnect signs out and points to where consent is removed", async () => {
    assert.match(await inbox.connect(DEE.address, "Microsoft"), /Connected dee@outlook\.com/);
    await inbox.account(DEE.address).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(DEE.address, "disconnected");
    const notice = await inbox.page.locator(".notice").innerText();
    assert.match(notice, /account\.live\.com/);
    assert.ok((await oauthLog()).some((e) => e.endpoint === "logout"), "signed out at Microsoft");
  });

  // The browser's clock can't be moved, so the sandbox's registration gives
  // refresh tokens a 30-minute life: the renewal (due an hour before the end)
  // is due at once, as it would be 23 hours into a real 24-hour sign-in.
  async function shortLivedSignIns() {
    await sandbox.control("POST", "/oauth/clients", {
      provider: "microsoft",
      clientId: "6f1c1d1e-5a6b-4c0d-9e8f-0a1b2c3d4e5f",
      redirectUris: ["https://bbimpbbieljienmnelgcbakbkgaiinfn.chromiumapp.org/microsoft"],
      platform: "spa",
      refreshTokenLifetimeSeconds: 1800,
    });
  }

  test("before the 24-hour refresh-token limit, the sign-in is renewed silently", async () => {
    await shortLivedSignIns();
    await inbox.connect(BOB.address, "Microsoft");
    await sandbox.control("DELETE", "/oauth/log");
    assert.equal((await inbox.send({ type: "checkAccount", address: BOB.address })).value.outcome, "ok");
    const silent = await until(async () => {
      const log = await oauthLog();
      return log.some((e) => e.endpoint === "token") && log;
    }, "the silent renewal");
    const authorize = silent.filter((e) => e.endpoint === "authorize");
    assert.equal(authorize.length, 1);
    assert.equal(authorize[0].params.prompt, "none");
    assert.equal(silent.find((e) => e.endpoint === "token").outcome, "tokens");
    assert.equal(await inbox.accountState(BOB.address), "connected");
  });

  test("when silent renewal fails, the inbox asks the person to sign in again", async () => {
    await shortLivedSignIns();
    await inbox.connect(BOB.address, "Microsoft");
    await sandbox.control("DELETE", "/oauth/sessions");
    await until(async () => {
      const reply = await inbox.send({ type: "checkAccount", address: BOB.address });
      return reply.value?.outcome === "needsReauthentication";
    }, "needs reauthentication");
    await inbox.waitAccountState(BOB.address, "needsReauthentication");
    await sandbox.control("DELETE", "/oauth/clients");
    await inbox.account(BOB.address).getByRole("button", { name: "Reconnect" }).click();
    await inbox.waitAccountState(BOB.address, "connected");
  });
});

describe("Google account protections", () => {
  for (const [scenario, pattern] of [
    ["advancedProtection", /Advanced Protection/i],
    ["orgInternal", /organi[sz]ation|outside|internal/i],
  ]) {
    test(`${scenario} gets its own clear message`, async () => {
      await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { outcome: scenario } });
      await inbox.startConnect(ANN.address);
      await inbox.chooseAndContinue("Gmail");
      assert.match(await inbox.flowError(), pattern);
    });
  }
});
