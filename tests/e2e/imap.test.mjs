// Connecting any IMAP/SMTP account, end to end: Chromium with Inlay, the real
// mail helper (target/debug/inlay-bridge, registered in the test profile's
// NativeMessagingHosts) and real servers on loopback (Dovecot and aiosmtpd
// from inlay-bridge's mailservers example, certificate self-signed for
// localhost). The sandbox serves the test domain's autoconfig document.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import {
  lootAsContentScript,
  grantHostPermissions,
  readStore,
  installBridge,
  launchBrowser,
  profileWithBridge,
  setManagedPolicy,
  startMailServers,
  startSandbox,
} from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

const DOMAIN = "imap-test.example";
const ALICE = `alice@${DOMAIN}`;
const ANN = { provider: "google", address: "ann@gmail.com", displayName: "Ann", aliases: [] };

let sandbox;
let servers;
let browser;
let inbox;

/** The domain's autoconfig, pointing at the loopback servers by the name `localhost`. */
function autoconfigXml() {
  const server = (tag, type, port) => `
    <${tag} type="${type}"><hostname>localhost</hostname><port>${port}</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></${tag}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="${DOMAIN}">
  <domain>${DOMAIN}</domain><displayName>Imap Test Mail</displayName>
  ${server("incomingServer", "imap", servers.imap.tlsPort)}
  ${server("outgoingServer", "smtp", servers.smtp.tlsPort)}
</emailProvider></clientConfig>`;
}

before(async () => {
  [sandbox, servers] = await Promise.all([startSandbox(), startMailServers()]);
});
after(async () => Promise.all([sandbox?.stop(), servers?.stop()]));
beforeEach(async () => {
  await sandbox.control("POST", "/reset");
  await sandbox.control("POST", "/seed", {
    accounts: [ANN],
    dns: [{ name: DOMAIN, type: "MX", data: `10 mail.${DOMAIN}.` }],
    autoconfig: [{ domain: DOMAIN, xml: autoconfigXml() }],
  });
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function open({ bridge = true } = {}) {
  browser = await launchBrowser(sandbox, bridge ? { profileDir: profileWithBridge() } : {});
  inbox = await InboxPage.open(browser, "app.html");
  return inbox;
}

/** Enters the address and chooses IMAP; the IMAP screen is then showing. */
async function chooseImap(address = ALICE) {
  const detected = await inbox.startConnect(address);
  assert.match(detected, /unrecognised mail server/);
  await inbox.button("Connect to IMAP").click();
}

const page = () => inbox.page;
const field = (label) => page().getByLabel(label, { exact: true });

const advanced = () => inbox.imapAdvanced();
const fillServers = (options) => inbox.fillImapServers(options);
const submit = ({ password = servers.password, trust = true } = {}) => inbox.submitImap(password, { trust });

/** In the IMAP form: the loopback servers (implicit TLS) by hand, the password, Connect, until connected. */
async function connectByHand() {
  await inbox.button("Enter them myself").click();
  await fillServers({ imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort });
  await submit();
  await inbox.waitConnected();
}

/**
 * After Reconnect or Connect again: the form starts from the servers the inbox was connected with
 * ("Trust any certificate" as it was), so only the password is typed; nothing is discovered again.
 */
async function reconnectWithSaved() {
  await page().locator(".imap-form").waitFor({ timeout: 15_000 });
  assert.match(await page().locator(".imap .found").innerText(), /the settings this inbox was connected with/);
  assert.equal(await page().getByLabel("Trust any certificate").isChecked(), true, "ticked as it was for this inbox");
  await advanced();
  assert.equal(await field("IMAP port").inputValue(), String(servers.imap.tlsPort));
  assert.equal(await field("SMTP port").inputValue(), String(servers.smtp.tlsPort));
  await submit();
  await inbox.waitConnected();
}

/** The form's error (role=alert inside the IMAP screen), once the check is over. */
async function formError() {
  const alert = page().locator(".imap-form [role=alert]");
  await alert.waitFor({ timeout: 30_000 });
  return alert.innerText();
}

/** The inbox's secrets row in the worker's IndexedDB (the only place passwords live), or null. */
async function storedSecrets(address) {
  return (await readStore(browser, "secrets")).find((row) => row.key === address.toLowerCase()) ?? null;
}

const listAccounts = async () => (await inbox.send({ type: "listAccounts" })).value;

describe("connecting an IMAP/SMTP account", () => {
  test("discovered settings pre-fill the form; with the certificate trusted it connects beside a Gmail inbox", async () => {
    await open();
    await inbox.connect(ANN.address, "Gmail");
    await grantHostPermissions(browser, [`https://autoconfig.${DOMAIN}/*`, `https://${DOMAIN}/*`]);

    await chooseImap();
    const why = await page().locator("#imap-why-permission").innerText();
    assert.match(why, new RegExp(`autoconfig\\.${DOMAIN.replace(".", "\\.")} and ${DOMAIN.replace(".", "\\.")}`));
    await inbox.button("Find my settings").click();
    await page().locator(".imap-form").waitFor({ timeout: 20_000 });
    assert.match(await page().locator(".imap .found").innerText(), /Found the settings your email provider publishes[\s\S]*autoconfig\.imap-test\.example: settings for Imap Test Mail/);
    const served = await sandbox.control("GET", `/requests?host=autoconfig.${DOMAIN}`);
    assert.equal(served.length, 1, "the autoconfig document was fetched once");
    await advanced();
    assert.equal(await field("IMAP server").inputValue(), "localhost");
    assert.equal(await field("IMAP port").inputValue(), String(servers.imap.tlsPort));
    assert.equal(await field("SMTP port").inputValue(), String(servers.smtp.tlsPort));
    assert.equal(await field("Username").inputValue(), "alice");
    assert.equal(await page().getByLabel("Trust any certificate").isChecked(), false, "never ticked by default");

    await submit({ trust: true });
    const confirmation = await inbox.waitConnected();
    assert.match(confirmation, new RegExp(`Connected ${ALICE}`));
    await inbox.waitAccountState(ALICE, "connected");
    assert.deepEqual(
      (await inbox.accounts()).sort((a, b) => a.address.localeCompare(b.address)),
      [
        { address: ALICE, state: "connected" },
        { address: ANN.address, state: "connected" },
      ],
    );
    assert.match(await inbox.account(ALICE).innerText(), /IMAP[\s\S]*Connected/);
    const record = (await listAccounts()).find((a) => a.address === ALICE);
    assert.deepEqual(record.server, {
      kind: "imap",
      trustAnyCertificate: true,
      appendToSent: true,
      settings: {
        imap: { host: "localhost", port: servers.imap.tlsPort, security: "implicitTls", username: "alice" },
        smtp: { host: "localhost", port: servers.smtp.tlsPort, security: "implicitTls", username: "alice" },
        sameCredentials: true,
      },
    });
    assert.ok(!JSON.stringify(record).includes(servers.password), "the account record holds no password");

    // "Check connection" logs in again through the helper.
    const check = await inbox.send({ type: "checkAccount", address: ALICE });
    assert.deepEqual(check, { ok: true, value: { outcome: "ok", message: null } });
  });

  test("without 'Trust any certificate' the self-signed certificate is refused in words, and nothing is stored", async () => {
    await open();
    await chooseImap();
    await inbox.button("Enter them myself").click();
    await fillServers({ imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort });
    await submit({ trust: false });
    const error = await formError();
    assert.match(error, /couldn't make a secure connection to the incoming mail \(IMAP\) server at localhost on port \d+/);
    assert.match(error, /Trust any certificate/);
    assert.deepEqual(await listAccounts(), []);
    assert.equal(await storedSecrets(ALICE), null);
  });

  test("settings entered by hand under Advanced options (STARTTLS both ways) connect", async () => {
    await open();
    await chooseImap();
    await inbox.button("Enter them myself").click();
    // The form starts from the usual servers for the domain, for the user to correct.
    await advanced();
    assert.equal(await field("IMAP server").inputValue(), `imap.${DOMAIN}`);
    assert.equal(await field("IMAP port").inputValue(), "993");
    assert.equal(await field("SMTP server").inputValue(), `smtp.${DOMAIN}`);
    await fillServers({
      imapPort: servers.imap.starttlsPort,
      imapSecurity: "STARTTLS",
      smtpPort: servers.smtp.starttlsPort,
      smtpSecurity: "STARTTLS",
    });
    await submit();
    await inbox.waitConnected();
    const record = (await listAccounts()).find((a) => a.address === ALICE);
    assert.equal(record.server.settings.imap.security, "startTls");
    assert.equal(record.server.settings.smtp.port, servers.smtp.starttlsPort);
    assert.equal((await sandbox.control("GET", `/requests?host=autoconfig.${DOMAIN}`)).length, 0, "no discovery was run");
  });

  test("a form problem names the field (the core's check) before anything is sent to the helper", async () => {
    await open();
    await chooseImap();
    await inbox.button("Enter them myself").click();
    await fillServers({ imapPort: servers.imap.tlsPort, smtpPort: "abc" });
    await field("IMAP server").fill("imaps://localhost");
    await submit();
    assert.match(await formError(), /^Incoming \(IMAP\) server name: enter just the server name/);
    await field("IMAP server").fill("localhost");
    await inbox.button("Connect").click();
    assert.match(await formError(), /^Outgoing \(SMTP\) server port: must be a number from 1 to 65535/);
  });

  test("a wrong password and a wrong port are explained, and the inbox is not saved", async () => {
    await open();
    await chooseImap();
    await inbox.button("Enter them myself").click();
    await fillServers({ imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort });
    await submit({ password: "wrong horse" });
    assert.match(await formError(), /The incoming mail \(IMAP\) server refused the username or password/);

    // A loopback port nothing listens on.
    const closed = await freePort();
    await field("IMAP port").fill(String(closed));
    await inbox.button("Connect").click();
    await page().locator(".imap-form [role=alert]").filter({ hasText: "couldn't reach" }).waitFor({ timeout: 30_000 });
    assert.match(await formError(), new RegExp(`couldn't reach the incoming mail \\(IMAP\\) server at localhost on port ${closed}\\. Check the server name and port`));
    assert.deepEqual(await listAccounts(), []);
  });

  test("outgoing mail with its own credentials: the SMTP password is the one checked and stored apart", async () => {
    await open();
    await chooseImap();
    await inbox.button("Enter them myself").click();
    await fillServers({ imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort });
    await page().getByLabel("Outgoing mail uses the same credentials as incoming").click();
    await field("SMTP username").fill(servers.username);
    await field("SMTP password").fill("not the smtp password");
    await submit();
    assert.match(await formError(), /The outgoing mail \(SMTP\) server refused the username or password/);
    assert.deepEqual(await listAccounts(), []);

    await field("SMTP password").fill(servers.password);
    await inbox.button("Connect").click();
    await inbox.waitConnected();
    const record = (await listAccounts()).find((a) => a.address === ALICE);
    assert.equal(record.server.settings.sameCredentials, false);
    const secrets = await storedSecrets(ALICE);
    assert.equal(secrets.password, servers.password);
    assert.equal(secrets.smtpPassword, servers.password);
  });

  test("disconnect deletes the stored password; Connect again opens the IMAP form", async () => {
    await open();
    await chooseImap();
    await connectByHand();
    assert.equal((await storedSecrets(ALICE))?.password, servers.password, "the password is stored while connected");

    await inbox.account(ALICE).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(ALICE, "disconnected");
    assert.equal(await storedSecrets(ALICE), null);
    assert.match(await page().locator(".notice").innerText(), /is disconnected/);
    // Connecting again opens the IMAP form for this inbox; the password is typed again.
    await inbox.account(ALICE).getByRole("button", { name: "Connect again" }).click();
    await reconnectWithSaved();
    await inbox.waitAccountState(ALICE, "connected");
    assert.equal((await storedSecrets(ALICE))?.password, servers.password);
  });

  test("a password changed at the provider: Check connection asks to sign in again, Reconnect restores the inbox", async (t) => {
    await open();
    await chooseImap();
    await connectByHand();

    await servers.setImapPassword("a brand new horse");
    t.after(() => servers.setImapPassword(servers.password));
    await inbox.account(ALICE).getByRole("button", { name: "Check connection" }).click();
    await inbox.waitAccountState(ALICE, "needsReauthentication");
    assert.match(await inbox.account(ALICE).innerText(), /password/i, "the inbox says why");
    assert.equal((await storedSecrets(ALICE))?.password, servers.password, "the old password is kept until a new one works");

    // The password is changed back (it is also the SMTP server's); Reconnect opens the form for this inbox.
    await servers.setImapPassword(servers.password);
    await inbox.account(ALICE).getByRole("button", { name: "Reconnect" }).click();
    await reconnectWithSaved();
    await inbox.waitAccountState(ALICE, "connected");
  });

  test("admin policy for the domain fills the form in without asking to read any site", async (t) => {
    const removePolicy = setManagedPolicy({
      mailSettings: [
        {
          domain: DOMAIN,
          settings: {
            imap: { host: "localhost", port: servers.imap.starttlsPort, security: "startTls", username: "%EMAILLOCALPART%" },
            smtp: { host: "localhost", port: servers.smtp.starttlsPort, security: "startTls", username: "%EMAILLOCALPART%" },
            sameCredentials: true,
          },
        },
      ],
    });
    t.after(removePolicy);
    await open();
    await chooseImap();
    await page().locator(".imap-form").waitFor({ timeout: 15_000 });
    assert.match(await page().locator(".imap .found").innerText(), /Your administrator set up these settings/);
    await advanced();
    assert.equal(await field("IMAP port").inputValue(), String(servers.imap.starttlsPort));
    assert.equal(await page().locator("#imap-security").inputValue(), "startTls");
    assert.equal(await field("Username").inputValue(), "alice");
    await submit();
    await inbox.waitConnected();
  });

  test("without the mail helper the popup says so and shows how to install it; once installed it carries on", async () => {
    // Chromium also reads the user's and the system's host manifests: neither may register the helper here.
    for (const dir of [join(homedir(), ".config/chromium/NativeMessagingHosts"), "/etc/chromium/native-messaging-hosts"]) {
      assert.ok(!existsSync(join(dir, "com.inlay.bridge.json")), `${dir} registers the helper for every profile; remove it to run this test`);
    }
    const profileDir = mkdtempSync(join(tmpdir(), "inlay-profile-"));
    browser = await launchBrowser(sandbox, { profileDir });
    inbox = await InboxPage.open(browser, "popup.html");
    await chooseImap();
    const help = page().locator(".helper-missing");
    await help.waitFor({ timeout: 15_000 });
    const text = await help.innerText();
    assert.match(text, /Inlay's mail helper is not installed/);
    assert.match(text, /inlay-bridge install/);
    // The install guide ships inside the extension, so it opens offline too.
    const guide = await help.getByRole("link", { name: "Installation instructions" }).getAttribute("href");
    assert.equal(guide, `chrome-extension://${browser.extensionId}/mail-helper.txt`);
    const guideText = await page().evaluate(async (url) => (await fetch(url)).text(), guide);
    assert.match(guideText, /inlay-bridge install/);

    // Once the helper answers, the popup hands over to a tab: the browser's permission prompt would close it.
    installBridge(profileDir);
    const [tab] = await Promise.all([browser.context.waitForEvent("page"), inbox.button("Check again").click()]);
    assert.equal(new URL(tab.url()).pathname, "/app.html");
    await tab.getByRole("button", { name: "Find my settings" }).waitFor({ timeout: 15_000 });
  });

  test("the password never reaches a content script, and forged IMAP requests are refused", async () => {
    await open();
    await chooseImap();
    await connectByHand();

    const loot = await lootAsContentScript(browser, [
      { type: "listAccounts" },
      { type: "imapStart", address: ALICE },
      { type: "imapDiscover", address: ALICE },
      {
        type: "imapConnect",
        address: `x@${DOMAIN}`,
        automation: true,
        password: "p",
        trustAnyCertificate: true,
        settings: {
          imap: { host: "evil.test", port: 993, security: "implicitTls", username: "x" },
          smtp: { host: "evil.test", port: 465, security: "implicitTls", username: "x" },
          sameCredentials: true,
        },
      },
      { type: "checkAccount", address: ALICE },
    ]);
    const everything = JSON.stringify(loot);
    assert.ok(!everything.includes(servers.password), "the password appears nowhere a content script can reach");
    assert.equal(loot.replies.length, 5);
    for (const reply of loot.replies) assert.equal(reply.ok, false, JSON.stringify(reply));
    for (const reply of loot.replies) assert.equal(reply.error.code, "invalidMessage", JSON.stringify(reply));
    assert.equal((await listAccounts()).filter((a) => a.address === `x@${DOMAIN}`).length, 0);
  });
});

/** A loopback port nothing listens on. */
async function freePort() {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}
