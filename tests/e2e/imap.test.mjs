// Connecting any IMAP/SMTP account, end to end: Chromium with Inlay, the real
// mail helper (target/debug/inlay-bridge, registered in the test profile's
// NativeMessagingHosts) and real servers on loopback (Dovecot and aiosmtpd
// from inlay-bridge's mailservers example, certificate self-signed for
// localhost, so each first connection reviews and trusts it). The sandbox
// serves the test domain's autoconfig document.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
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
const submit = ({ password = servers.password, reviews = 1 } = {}) => inbox.submitImap(password, { reviews });

/** In the IMAP form: the loopback servers (implicit TLS) by hand, the password, Connect, until connected. */
async function connectByHand() {
  await inbox.button("Enter them myself").click();
  await fillServers({ imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort });
  await submit();
  await inbox.waitConnected();
}

/**
 * After Reconnect or Connect again: the form starts from the servers the inbox was connected with
 * and the certificates accepted then, so only the password is typed; nothing is discovered or
 * reviewed again.
 */
async function reconnectWithSaved({ imapPort = servers.imap.tlsPort, reviews = 0 } = {}) {
  await page().locator(".imap-form").waitFor({ timeout: 15_000 });
  assert.match(await page().locator(".imap .found").innerText(), /the settings this inbox was connected with/);
  await advanced();
  assert.equal(await field("IMAP port").inputValue(), String(imapPort));
  assert.equal(await field("SMTP port").inputValue(), String(servers.smtp.tlsPort));
  await submit({ reviews });
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
  test("discovered settings pre-fill the form; the certificate is reviewed and trusted, and it connects beside a Gmail inbox", async () => {
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
    assert.equal(await page().getByLabel("Trust any certificate").count(), 0, "there is no 'trust any certificate' any more");

    await submit({ reviews: 0 });
    // The self-signed certificate is shown, IMAP first, with its fingerprint; trusting it pins it.
    const imapReview = await inbox.trustCertificate("imap");
    assert.match(imapReview, /Check the certificate of the incoming mail \(IMAP\) server localhost/);
    assert.match(imapReview, /Subject\s+CN=rcgen self signed cert/);
    assert.match(imapReview, /Issuer\s+CN=rcgen self signed cert/);
    assert.match(imapReview, /Valid from\s+\w{3}, \d\d \w{3} \d{4}[\s\S]*Valid until\s+\w{3}, \d\d \w{3} \d{4}/);
    assert.ok(imapReview.includes(servers.certPin), `the fingerprint ${servers.certPin} is shown:\n${imapReview}`);
    assert.match(imapReview, /sent no password/);
    // The SMTP server presents the same key (one certificate for both): accepted with it, not reviewed twice.
    const confirmation = await inbox.waitConnected();
    assert.equal(await page().locator(".certificate-review").count(), 0, "no second review");
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
      pinnedCertificates: { imap: servers.certPin, smtp: servers.certPin },
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

  test("a certificate the helper can't verify is shown before any password is sent; Cancel stores nothing", async () => {
    await open();
    await chooseImap();
    await inbox.button("Enter them myself").click();
    await fillServers({ imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort });
    await submit({ reviews: 0 });
    const review = page().locator('.certificate-review[data-server="imap"]');
    await review.waitFor({ timeout: 30_000 });
    assert.match(await review.innerText(), new RegExp(`Inlay can't verify the certificate of the incoming mail \\(IMAP\\) server at localhost on port ${servers.imap.tlsPort}`));
    assert.equal(await review.locator('[data-field="spkiSha256"]').innerText(), servers.certPin);
    await review.getByRole("button", { name: "Cancel" }).click();
    // Back at the form, as it was; nothing stored.
    assert.equal(await field("IMAP port").inputValue(), String(servers.imap.tlsPort));
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
    await submit({ reviews: 0 });
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
    // The certificate comes first (before any password is sent), then the password is refused.
    await submit({ password: "wrong horse", reviews: 1 });
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

  test("a certificate changed since connecting: the check fails closed in words, the inbox needs attention, Reconnect reviews it", async (t) => {
    // The inbox's IMAP server is reached through a relay on a fixed port, so another server (its own
    // certificate, same host name and port) can take its place, as an attacker in the path would.
    const relay = await startRelay(servers.imap.tlsPort);
    t.after(() => relay.stop());
    await open();
    await chooseImap();
    await inbox.button("Enter them myself").click();
    await fillServers({ imapPort: relay.port, smtpPort: servers.smtp.tlsPort });
    await submit();
    await inbox.waitConnected();

    const other = await startMailServers();
    t.after(() => other.stop());
    assert.notEqual(other.certPin, servers.certPin);
    relay.target = other.imap.tlsPort;
    await inbox.account(ALICE).getByRole("button", { name: "Check connection" }).click();
    await inbox.waitAccountState(ALICE, "needsReauthentication");
    assert.match(
      await inbox.account(ALICE).innerText(),
      /incoming mail \(IMAP\) server's certificate changed since you connected — this can be an attack; reconnect to review it/,
    );
    assert.equal((await listAccounts()).find((a) => a.address === ALICE).server.pinnedCertificates.imap, servers.certPin, "the pin is kept");

    // Reconnect shows the new certificate; trusting it pins it instead.
    await inbox.account(ALICE).getByRole("button", { name: "Reconnect" }).click();
    await page().locator(".imap-form").waitFor({ timeout: 15_000 });
    await page().getByLabel("Password", { exact: true }).fill(servers.password);
    await inbox.button("Connect").click();
    const review = await inbox.trustCertificate("imap");
    assert.match(review, /certificate changed since you connected/);
    assert.ok(review.includes(other.certPin), review);
    await inbox.waitConnected();
    const record = (await listAccounts()).find((a) => a.address === ALICE);
    assert.deepEqual(record.server.pinnedCertificates, { imap: other.certPin, smtp: servers.certPin });
  });

  test("an inbox from before pins ('trust any certificate') is pinned at its next successful check, once, and the user is told", async () => {
    await open();
    await chooseImap();
    await connectByHand();
    // Make the record what an older Inlay stored.
    await browser.worker.evaluate(
      (address) =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("inlay");
          open.onsuccess = () => {
            const tx = open.result.transaction("accounts", "readwrite");
            const accounts = tx.objectStore("accounts");
            const get = accounts.get(address);
            get.onsuccess = () => {
              const { pinnedCertificates: _, ...server } = get.result.server;
              accounts.put({ ...get.result, server: { ...server, trustAnyCertificate: true } });
            };
            tx.oncomplete = () => resolve(open.result.close());
            tx.onerror = () => reject(tx.error);
          };
        }),
      ALICE,
    );
    assert.equal((await listAccounts()).find((a) => a.address === ALICE).server.trustAnyCertificate, true);

    const first = await inbox.send({ type: "checkAccount", address: ALICE });
    assert.equal(first.value.outcome, "ok");
    assert.match(first.value.message, /no longer accepts any certificate from the incoming mail \(IMAP\) server at localhost/);
    assert.ok(first.value.message.includes(servers.certPin), first.value.message);
    const record = (await listAccounts()).find((a) => a.address === ALICE);
    assert.deepEqual(record.server.pinnedCertificates, { imap: servers.certPin, smtp: servers.certPin });
    assert.equal(record.server.trustAnyCertificate, false);
    // One key for both servers: one notice names both, with one fingerprint.
    assert.match(first.value.message, /and the outgoing mail \(SMTP\) server at localhost on port \d+: it now accepts only the certificate it saw there/);
    await page().reload();
    const notice = inbox.account(ALICE).locator(".server-notice");
    assert.match(await notice.innerText(), /no longer accepts any certificate/);
    // Once: the next check is an ordinary one, at the pin.
    assert.deepEqual(await inbox.send({ type: "checkAccount", address: ALICE }), { ok: true, value: { outcome: "ok", message: null } });

    // Dismiss, from the keyboard: the notice goes, and stays gone.
    await notice.getByRole("button", { name: "Dismiss" }).focus();
    await page().keyboard.press("Enter");
    await notice.waitFor({ state: "detached", timeout: 10_000 });
    const dismissed = (await listAccounts()).find((a) => a.address === ALICE);
    assert.equal(dismissed.server.notice, null);
    assert.deepEqual(dismissed.server.pinnedCertificates, { imap: servers.certPin, smtp: servers.certPin }, "the pins stay");
    await page().reload();
    await inbox.waitAccountState(ALICE, "connected");
    assert.equal(await inbox.account(ALICE).locator(".server-notice").count(), 0);
  });

  test("the password never reaches a content script, and forged IMAP requests are refused", async () => {
    await open();
    await chooseImap();
    await connectByHand();

    const loot = await lootAsContentScript(browser, [
      { type: "listAccounts" },
      { type: "imapStart", address: ALICE },
      { type: "imapDiscover", address: ALICE },
      { type: "imapDismissNotice", address: ALICE },
      {
        type: "imapConnect",
        address: `x@${DOMAIN}`,
        automation: true,
        password: "p",
        pinnedCertificates: { imap: null, smtp: null },
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
    assert.equal(loot.replies.length, 6);
    for (const reply of loot.replies) assert.equal(reply.ok, false, JSON.stringify(reply));
    for (const reply of loot.replies) assert.equal(reply.error.code, "invalidMessage", JSON.stringify(reply));
    assert.equal((await listAccounts()).filter((a) => a.address === `x@${DOMAIN}`).length, 0);
  });
});

/** A TCP relay on a loopback port to `target` (changeable: later connections go to the new target). */
async function startRelay(target) {
  const sockets = new Set();
  const relay = { port: 0, target, stop: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), server.close(r))) };
  const server = createServer((client) => {
    const upstream = tcpConnect(relay.target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => (client.destroy(), upstream.destroy()));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  relay.port = server.address().port;
  return relay;
}

/** A loopback port nothing listens on. */
async function freePort() {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}
