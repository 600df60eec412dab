// Connecting an Exchange (on-premises) inbox end to end: the popup's form in
// real Chromium, Autodiscover planned by the core and run by the worker
// against the sandbox's POX Autodiscover and EWS fakes, host permissions,
// the EWS check of the password, and where the password ends up.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { grantHostPermissions, launchBrowser, lootAsContentScript, readStore, startSandbox, until } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

const DOMAIN = "contoso-exchange.example";
const ANN = "ann@contoso-exchange.example";
const PASSWORD = "Exch-pa55-8121";
const EWS_URL = `https://mail.${DOMAIN}/EWS/Exchange.asmx`;
const ALL_HOSTS = [
  `https://${DOMAIN}/*`,
  `https://autodiscover.${DOMAIN}/*`,
  `http://autodiscover.${DOMAIN}/*`,
  `https://mail.${DOMAIN}/*`,
];

let sandbox;
let browser;
let inbox;

function exchangeAccount(extra = {}) {
  return { provider: "exchange", address: ANN, displayName: "Ann Exchange", password: PASSWORD, ...extra };
}

before(async () => {
  sandbox = await startSandbox();
});
after(async () => sandbox?.stop());
afterEach(async () => browser?.close());

async function open({ accounts = [exchangeAccount({ autodiscover: "subdomain" })], dns = [], grant = ALL_HOSTS } = {}) {
  await seed(sandbox, { accounts, dns });
  browser = await launchBrowser(sandbox);
  if (grant.length) await grantHostPermissions(browser, grant);
  inbox = await InboxPage.open(browser, "app.html");
}

async function openExchangeForm(address = ANN) {
  await inbox.openPasswordForm(address, "Exchange");
  await inbox.page.getByLabel("Password", { exact: true }).waitFor();
}

async function submitPassword(password = PASSWORD) {
  await inbox.page.getByLabel("Password", { exact: true }).fill(password);
  await inbox.button("Connect").click();
}

const allowUntilDone = () => inbox.allowHosts();

/** The form for `address` submitted without a URL (Autodiscover), hosts allowed. */
async function connectByAutodiscover(address = ANN) {
  await openExchangeForm(address);
  await submitPassword();
  await allowUntilDone();
}

/** Connects by Autodiscover and waits for the question asked before the password goes to another host; its text. */
async function redirectQuestion(address = ANN) {
  await connectByAutodiscover(address);
  const confirm = inbox.page.locator(".confirm-redirect");
  await confirm.waitFor({ timeout: 15_000 });
  return confirm.innerText();
}

/** Declines the other host: the form asks for the URL, and `host` got no request and no one the password. */
async function declineRedirect(host, why) {
  await inbox.button("No").click();
  assert.match(await inbox.flowError(), /couldn't find|could not find/i);
  const requests = await sandbox.control("GET", "/requests");
  assert.deepEqual(
    requests.filter((r) => r.host === host).map((r) => `${r.method} ${r.path}`),
    [],
    why,
  );
  assert.deepEqual(await passwordRequests(), [], "no host got the password");
  await inbox.page.getByLabel(/Exchange URL/).waitFor();
}

/** Opens the optional fields and types the Exchange URL. */
async function typeUrl(url) {
  await inbox.page.getByLabel("Show optional fields").check();
  await inbox.page.getByLabel(/Exchange URL/).fill(url);
}

/** The form with the Exchange URL typed (no Autodiscover), submitted, hosts allowed. */
async function connectByUrl(password = PASSWORD) {
  await openExchangeForm();
  await typeUrl(EWS_URL);
  await submitPassword(password);
  await allowUntilDone();
}

/** The EWS server answers its next request with 503 and Retry-After `seconds`. */
async function busyOnce(seconds) {
  await sandbox.control("POST", "/faults", {
    host: `mail.${DOMAIN}`,
    pathPrefix: "/EWS/",
    times: 1,
    status: 503,
    headers: { "Retry-After": String(seconds) },
  });
}

/** The EWS requests the sandbox saw, in order. */
async function ewsRequests() {
  return (await sandbox.control("GET", "/requests")).filter((r) => r.path === "/EWS/Exchange.asmx");
}

/** The Autodiscover requests the sandbox saw at `host`, each as whether it carried an Authorization header. */
async function autodiscoverAuthorization(host) {
  return (await sandbox.control("GET", "/requests"))
    .filter((r) => r.host === host && r.path === "/autodiscover/autodiscover.xml")
    .map((r) => r.headers.some(([name]) => name === "authorization"));
}

/** Requests the sandbox saw that carried a Basic Authorization header, as `host path`. */
async function passwordRequests() {
  const requests = await sandbox.control("GET", "/requests");
  return requests
    .filter((r) => r.headers.some(([name, value]) => name === "authorization" && value.startsWith("Basic ")))
    .map((r) => `${r.host} ${r.path}`);
}

describe("Exchange on-premises", () => {
  test("Autodiscover finds the server, EWS accepts the password, and the inbox is connected", async () => {
    await open();
    await openExchangeForm();
    assert.match(await inbox.page.locator(".exchange").innerText(), /app password/i, "the two-factor hint is shown");
    await submitPassword();
    const asked = await allowUntilDone();
    assert.deepEqual(asked, [`${DOMAIN}\nautodiscover.${DOMAIN}`, `mail.${DOMAIN}`], "one request for discovery, one for the server found");
    const confirmation = await inbox.waitConnected();
    assert.match(confirmation, /Connected ann@contoso-exchange\.example/);
    await inbox.waitAccountState(ANN, "connected");
    assert.match(await inbox.account(ANN).innerText(), /Exchange/);

    // The documented order: the domain itself, then autodiscover.<domain>, then EWS. The domain
    // is a plain web site here (a 200 page): it used to get the password too, and now gets none.
    assert.deepEqual(await autodiscoverAuthorization(DOMAIN), [false], "the web site was asked once, without the password");
    // The Autodiscover host asks (401 Basic) and gets the credentials once.
    assert.deepEqual(await autodiscoverAuthorization(`autodiscover.${DOMAIN}`), [false, true]);
    const seen = await passwordRequests();
    assert.deepEqual(seen, [`autodiscover.${DOMAIN} /autodiscover/autodiscover.xml`, `mail.${DOMAIN} /EWS/Exchange.asmx`]);

    const [record] = (await readStore(browser, "accounts")).filter((a) => a.key === ANN);
    assert.equal(record.server.kind, "exchange");
    assert.equal(record.server.ewsUrl, EWS_URL);
    assert.match(record.server.serverVersion ?? "", /^15\./, "the server version read from EWS is kept");
    assert.ok(!JSON.stringify(record).includes(PASSWORD), "the account record holds no password");
    const [secrets] = (await readStore(browser, "secrets")).filter((s) => s.key === ANN);
    assert.equal(secrets.password, PASSWORD, "the password is kept in the extension's own database");

    const local = await browser.worker.evaluate(() => chrome.storage.local.get(null));
    const session = await browser.worker.evaluate(() => chrome.storage.session.get(null));
    assert.ok(!JSON.stringify(local).includes(PASSWORD) && !JSON.stringify(session).includes(PASSWORD));
  });

  test("when Autodiscover finds nothing it says so, asks for the URL, and the typed URL connects", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    await connectByAutodiscover();
    const error = await inbox.flowError();
    assert.match(error, /couldn't find|could not find/i);
    const url = inbox.page.getByLabel(/Exchange URL/);
    assert.equal(await url.getAttribute("placeholder"), `https://mail.${DOMAIN}/EWS/Exchange.asmx`, "the usual form is suggested");
    await url.fill(EWS_URL);
    await inbox.button("Connect").click();
    await allowUntilDone();
    await inbox.waitConnected();
    await inbox.waitAccountState(ANN, "connected");
    assert.deepEqual((await passwordRequests()).at(-1), `mail.${DOMAIN} /EWS/Exchange.asmx`);
  });

  test("the SRV record is used when both Autodiscover hosts fail", async () => {
    await open({
      accounts: [exchangeAccount({ autodiscover: "srv" })],
      dns: [{ name: `_autodiscover._tcp.${DOMAIN}`, type: "SRV", data: `0 0 443 mail.${DOMAIN}.` }],
    });
    await connectByAutodiscover();
    await inbox.waitConnected();
    const seen = await passwordRequests();
    assert.deepEqual(seen.slice(-2), [`mail.${DOMAIN} /autodiscover/autodiscover.xml`, `mail.${DOMAIN} /EWS/Exchange.asmx`]);
  });

  test("the HTTP redirect probe is followed only after the user confirms the new host", async () => {
    const FAY = "fay@fabrikam-exchange.example";
    const FAB = "fabrikam-exchange.example";
    await open({
      accounts: [{ provider: "exchange", address: FAY, password: PASSWORD, autodiscover: "redirectProbe" }],
      grant: [`https://${FAB}/*`, `https://autodiscover.${FAB}/*`, `http://autodiscover.${FAB}/*`, `https://mail.${FAB}/*`],
    });
    await connectByAutodiscover(FAY);
    const confirm = inbox.page.locator(".confirm-redirect");
    assert.ok(await confirm.isVisible(), `expected the redirect question, the form shows: ${await inbox.page.locator(".connect").innerText()}`);
    assert.match(await confirm.innerText(), /mail\.fabrikam-exchange\.example/);
    // Until the user says yes, the password went only to the domain's own hosts, and the probe carried none.
    assert.ok(!(await passwordRequests()).some((r) => r.startsWith(`mail.${FAB}`)));
    const probe = (await sandbox.control("GET", "/requests")).find((r) => r.host === `autodiscover.${FAB}` && r.method === "GET");
    assert.ok(probe, "the unauthenticated HTTP probe was made");
    assert.ok(!probe.headers.some(([name]) => name === "authorization"));
    await inbox.button(`Yes, use mail.${FAB}`).click();
    await allowUntilDone();
    await inbox.waitConnected();
    assert.deepEqual((await passwordRequests()).slice(-2), [`mail.${FAB} /autodiscover/autodiscover.xml`, `mail.${FAB} /EWS/Exchange.asmx`]);
  });

  test("declining the redirected host sends it nothing and asks for the URL", async () => {
    const FAY = "fay@fabrikam-exchange.example";
    const FAB = "fabrikam-exchange.example";
    await open({
      accounts: [{ provider: "exchange", address: FAY, password: PASSWORD, autodiscover: "redirectProbe" }],
      grant: [`https://${FAB}/*`, `https://autodiscover.${FAB}/*`, `http://autodiscover.${FAB}/*`],
    });
    await redirectQuestion(FAY);
    await inbox.button("No").click();
    assert.match(await inbox.flowError(), /couldn't find|could not find/i);
    assert.ok(!(await passwordRequests()).some((r) => r.startsWith(`mail.${FAB}`)));
    await inbox.page.getByLabel(/Exchange URL/).waitFor();
  });

  test("an SRV target on another domain is named first, and declining sends it nothing", async () => {
    const OTHER = "mail.fabrikam-exchange.example";
    await open({
      accounts: [exchangeAccount({ autodiscover: "srv" })],
      dns: [{ name: `_autodiscover._tcp.${DOMAIN}`, type: "SRV", data: `0 0 443 ${OTHER}.` }],
      grant: [...ALL_HOSTS, `https://${OTHER}/*`],
    });
    assert.match(await redirectQuestion(), /Send your Exchange password to mail\.fabrikam-exchange\.example\?/);
    await declineRedirect(OTHER, "the declined host was never contacted");
  });

  test("an EWS server on another domain named by the web site's unauthenticated answer is asked about; declining sends it nothing", async () => {
    const OTHER = "mail.fabrikam-exchange.example";
    await open({ accounts: [exchangeAccount({ autodiscover: "foreignEws" })], grant: [...ALL_HOSTS, `https://${OTHER}/*`] });
    assert.match(await redirectQuestion(), /Send your Exchange password to mail\.fabrikam-exchange\.example\?/);
    // The web site answered the credential-free POST; it was never sent the password.
    assert.deepEqual(await autodiscoverAuthorization(DOMAIN), [false]);
    await declineRedirect(OTHER, "the declined EWS server was never contacted");
  });

  test("an Autodiscover host that offers only Windows sign-in is explained, and gets no password", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "windowsOnly" })] });
    await connectByAutodiscover();
    const error = await inbox.flowError();
    assert.match(error, /autodiscover\.contoso-exchange\.example accepts only Windows sign-in/);
    assert.match(error, /Basic authentication/);
    assert.match(error, /enter its EWS URL/);
    assert.deepEqual(await passwordRequests(), []);
    // EWS itself takes Basic here: the typed URL connects.
    const url = inbox.page.getByLabel(/Exchange URL/);
    await url.fill(EWS_URL);
    await inbox.button("Connect").click();
    await allowUntilDone();
    await inbox.waitConnected();
  });

  test("without host permission the form names the hosts and explains why, before any password is sent", async () => {
    await open({ grant: [] });
    await openExchangeForm();
    await submitPassword();
    const prompt = inbox.page.locator(".permission");
    await prompt.waitFor({ timeout: 15_000 });
    const text = await prompt.innerText();
    for (const host of [DOMAIN, `autodiscover.${DOMAIN}`]) assert.match(text, new RegExp(host.replaceAll(".", "\\.")));
    assert.match(text, /permission/i);
    assert.deepEqual(await passwordRequests(), [], "no password left the browser");
    await inbox.button("Cancel").click();
    assert.deepEqual(await inbox.accounts(), []);
  });

  test("a wrong password is refused with the server's reason and nothing is stored", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    await connectByUrl("not-the-password");
    const error = await inbox.flowError();
    assert.match(error, /password/i);
    assert.deepEqual(await readStore(browser, "secrets"), []);
    assert.deepEqual(await readStore(browser, "accounts"), []);
  });

  test("a server older than Exchange 2010 SP2 is explained", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "subdomain", exchangeVersion: "Exchange2010" })] });
    await connectByAutodiscover();
    assert.match(await inbox.flowError(), /2010 SP2|2010 Service Pack 2/i);
    assert.deepEqual(await readStore(browser, "secrets"), []);
  });

  test("a busy server (503) is retried and then connects", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    await busyOnce(1);
    await connectByUrl();
    await inbox.waitConnected();
    const ews = await ewsRequests();
    assert.equal(ews.length, 2, "one 503, then the retry");
    assert.ok(ews[0].faultId !== undefined && ews[1].faultId === undefined);
  });

  test("Cancel while the password is being checked: the server's late answer saves nothing", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    // The server asks for a 2 s pause, so the check is still going when Cancel is clicked.
    await busyOnce(2);
    await openExchangeForm();
    await typeUrl(EWS_URL);
    await submitPassword();
    await inbox.page.locator(".permission").waitFor({ timeout: 15_000 });
    await inbox.button("Allow").click();
    await until(async () => (await ewsRequests()).length === 1, "the first EWS call");
    assert.match(await inbox.page.locator(".exchange .progress").innerText(), /Checking your password/);
    await inbox.button("Cancel").click();
    await until(async () => (await ewsRequests()).length === 2, "the retry after the pause");
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(await readStore(browser, "secrets"), [], "no password kept");
    assert.deepEqual(await readStore(browser, "accounts"), [], "no inbox record");
  });

  test("the optional user name (DOMAIN\\user) is the one sent to the server", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "subdomain", username: "CONTOSO\\ann.x" })] });
    await openExchangeForm();
    await inbox.page.getByLabel("Show optional fields").check();
    await inbox.page.getByLabel(/User name/).fill("CONTOSO\\ann.x");
    await submitPassword();
    await allowUntilDone();
    await inbox.waitConnected();
    const users = (await sandbox.control("GET", "/requests"))
      .flatMap((r) => r.headers.filter(([name, value]) => name === "authorization" && value.startsWith("Basic ")))
      .map(([, value]) => Buffer.from(value.slice(6), "base64").toString().split(":")[0]);
    assert.ok(users.length >= 2 && users.every((u) => u === "CONTOSO\\ann.x"), JSON.stringify(users));
    const [record] = await readStore(browser, "accounts");
    assert.equal(record.server.username, "CONTOSO\\ann.x");
  });

  test("a connection reset on the EWS check is retried, then connects", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    await sandbox.control("POST", "/faults", { host: `mail.${DOMAIN}`, pathPrefix: "/EWS/", times: 2, reset: true });
    await connectByUrl();
    await inbox.waitConnected();
    const ews = await ewsRequests();
    assert.ok(ews.filter((r) => r.faultId !== undefined).length >= 1, "a reset was served");
    assert.equal(ews.at(-1).faultId, undefined, "the last attempt got through");
  });

  test("a server that keeps resetting ends in words, and nothing is stored", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    await sandbox.control("POST", "/faults", { host: `mail.${DOMAIN}`, pathPrefix: "/EWS/", reset: true });
    await connectByUrl();
    const error = await inbox.flowError();
    assert.match(error, /Exchange kept failing \(mail\.contoso-exchange\.example could not be reached\)/);
    assert.match(error, /Check the server address and your network/);
    assert.equal((await ewsRequests()).length, 4, "the first try, then the core's three quick retries (Backoff::INTERACTIVE)");
    assert.deepEqual(await readStore(browser, "secrets"), []);
  });

  test("an http:// Exchange URL is refused before the password goes anywhere", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    await openExchangeForm();
    await typeUrl(`http://mail.${DOMAIN}/EWS/Exchange.asmx`);
    await submitPassword();
    await allowUntilDone();
    assert.match(await inbox.flowError(), /https:\/\//);
    assert.deepEqual(await passwordRequests(), []);
  });

  test("a Microsoft 365 domain is steered to the Microsoft connection", async () => {
    await open({
      accounts: [],
      dns: [{ name: "fabrikam.example", type: "MX", data: "0 fabrikam-example.mail.protection.outlook.com." }],
      grant: [],
    });
    await openExchangeForm("dan@fabrikam.example");
    await submitPassword();
    await allowUntilDone();
    assert.match(await inbox.flowError(), /Microsoft/);
    assert.deepEqual(await passwordRequests(), []);
  });

  test("the password never reaches a content script, and forged Exchange requests are refused", async () => {
    await open();
    await connectByAutodiscover();
    await inbox.waitConnected();
    const loot = await lootAsContentScript(browser, [
      { type: "exchangeDiscover", address: ANN, password: "x", username: null },
      { type: "exchangeResume", address: ANN, answer: { kind: "confirmed", accepted: true } },
      { type: "exchangeConnect", address: "eve@contoso-exchange.example", password: "x", username: null, ewsUrl: "https://evil.test/EWS/Exchange.asmx", automation: true },
      { type: "checkAccount", address: ANN },
    ]);
    assert.ok(!JSON.stringify(loot).includes(PASSWORD), "the password appears nowhere a content script can reach");
    for (const reply of loot.replies) assert.equal(reply.error?.code, "invalidMessage", JSON.stringify(reply));
    assert.equal(loot.ping.ok, true, "the worker keeps running");
    assert.deepEqual((await readStore(browser, "accounts")).map((a) => a.key), [ANN]);
  });

  test("disconnect deletes the password; the record says disconnected", async () => {
    await open();
    await connectByAutodiscover();
    await inbox.waitConnected();
    await inbox.account(ANN).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(ANN, "disconnected");
    assert.deepEqual(await readStore(browser, "secrets"), []);
  });

  test("Check connection says how it went: working, or the server's trouble in words, and the inbox stays connected", async () => {
    await open();
    await connectByAutodiscover();
    await inbox.waitConnected();
    const check = () => inbox.account(ANN).getByRole("button", { name: "Check connection" }).click();

    await check();
    await inbox.page.locator(".notice").waitFor({ timeout: 15_000 });
    assert.equal(await inbox.page.locator(".notice").innerText(), `${ANN} is connected and working.`);

    await sandbox.control("POST", "/faults", { host: `mail.${DOMAIN}`, pathPrefix: "/EWS/", status: 500 });
    await check();
    const error = inbox.page.locator(".error[role=alert]");
    await error.waitFor({ timeout: 20_000 });
    assert.match(await error.innerText(), /Exchange kept failing/);
    assert.equal(await inbox.accountState(ANN), "connected", "a server in trouble is not the user's password");
  });

  test("Connect again from the toolbar popup goes on in a tab, at the saved server", async () => {
    await open({ accounts: [exchangeAccount({ autodiscover: "none" })] });
    await connectByUrl();
    await inbox.waitConnected();
    await inbox.account(ANN).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(ANN, "disconnected");
    // The browser's permission prompt would close the popup, so the form opens in a tab.
    const popup = await InboxPage.open(browser, "popup.html");
    const [tab] = await Promise.all([
      browser.context.waitForEvent("page"),
      popup.account(ANN).getByRole("button", { name: "Connect again" }).click(),
    ]);
    assert.equal(new URL(tab.url()).pathname, "/app.html");
    const url = tab.getByLabel(/Exchange URL/);
    await url.waitFor({ timeout: 15_000 });
    assert.equal(await url.inputValue(), EWS_URL);
  });

  test("Reconnect asks for the new password in the Exchange form, at the saved server, and keeps the inbox", async () => {
    await open();
    await connectByAutodiscover();
    await inbox.waitConnected();
    // The server's password changes; the next check puts the inbox in "needs you to sign in again".
    await sandbox.control("POST", "/seed", { accounts: [exchangeAccount({ autodiscover: "subdomain", password: "Changed-2" })] });
    await inbox.account(ANN).getByRole("button", { name: "Check connection" }).click();
    await inbox.waitAccountState(ANN, "needsReauthentication");
    await sandbox.control("DELETE", "/requests");
    await inbox.account(ANN).getByRole("button", { name: "Reconnect" }).click();
    // The form starts from the server the inbox was connected with: no Autodiscover again.
    assert.equal(await inbox.page.getByLabel(/Exchange URL/).inputValue(), EWS_URL);
    await submitPassword("Changed-2");
    await allowUntilDone();
    await inbox.waitConnected();
    await inbox.waitAccountState(ANN, "connected");
    assert.deepEqual([...new Set(await passwordRequests())], [`mail.${DOMAIN} /EWS/Exchange.asmx`], "only the saved server was asked");
    const [secrets] = await readStore(browser, "secrets");
    assert.equal(secrets.password, "Changed-2");
  });
});
