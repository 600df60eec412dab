// Sending from a record through an IMAP/SMTP inbox, end to end: Chromium
// with the real worker, core and outbox, the real mail helper
// (target/debug/inlay-bridge) and the real servers the IMAP e2e uses
// (Dovecot and aiosmtpd from inlay-bridge's mailservers example). The SMTP
// server files every message it accepts, as received, in alice's INBOX, so
// Dovecot's INBOX is what recipients got (exactly one, without Bcc) and its
// Sent folder is the helper's copy (with Bcc).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, profileWithBridge, startMailServers, startSandbox } from "./harness.mjs";
import { InboxPage } from "./connect-ui.mjs";
import { SendApp } from "./send-ui.mjs";
import { assertComposed, assertNoBcc, binaryAttachment, imapMessages, timelineShows } from "./send-check.mjs";

const DOMAIN = "imap-test.example";
const ALICE = `alice@${DOMAIN}`;

let sandbox;
let servers;
let browser;
let app;
const ids = {};

before(async () => {
  [sandbox, servers] = await Promise.all([startSandbox(), startMailServers()]);
  await sandbox.control("POST", "/reset");
  await sandbox.control("POST", "/seed", { accounts: [], dns: [{ name: DOMAIN, type: "MX", data: `10 mail.${DOMAIN}.` }] });
  browser = await launchBrowser(sandbox, { profileDir: profileWithBridge() });
  // Connected as the IMAP e2e does by hand: the loopback servers, the password, the certificate trusted.
  const inbox = await InboxPage.open(browser, "app.html");
  assert.match(await inbox.startConnect(ALICE), /unrecognised mail server/);
  await inbox.button("Connect to IMAP").click();
  await inbox.button("Enter them myself").click();
  await inbox.fillImapServers({ imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort });
  await inbox.submitImap(servers.password);
  await inbox.waitConnected();
  await inbox.page.close();
  app = await SendApp.open(browser);
  ids.contact = await app.createContact({ firstName: "Lena", lastName: "Okafor", emails: "lena@client.example" });
});

// A test that failed with the dialog open leaves the next one a clean page.
beforeEach(async () => {
  if (app && (await app.dialog().count())) await app.page.reload();
});

after(async () => {
  await browser?.close();
  await Promise.all([sandbox?.stop(), servers?.stop()]);
});

describe("IMAP/SMTP", () => {
  test("composed from a contact: the SMTP server receives exactly one message with From, recipients, subject, both bodies and the attachment byte for byte, Bcc only in the Sent copy; the timeline shows it", async () => {
    const file = binaryAttachment();
    const inboxBefore = (await imapMessages(servers, "INBOX")).length;
    await app.go(`#/contact/${ids.contact}`);
    await app.waitHeading("Lena Okafor");
    const dialog = await app.composeFromRecord();
    assert.equal(await dialog.getByLabel("To", { exact: true }).inputValue(), "Lena Okafor <lena@client.example>");
    await app.fillCompose({
      from: ALICE,
      cc: "Carl Cole <carl@partner.example>",
      bcc: "boss@client.example",
      subject: "Proposal for {{contact.firstName}}",
      body: "Our proposal, as promised.",
      files: [file],
    });
    assert.equal(await app.clickSend(), null, "the dialog closed without a refusal");
    const item = await app.waitOutbox("Proposal for Lena", ["sent"], 60_000);

    const received = (await imapMessages(servers, "INBOX")).slice(inboxBefore);
    assert.equal(received.length, 1, "exactly one message reached the SMTP server");
    const want = { from: ALICE, to: ["lena@client.example"], cc: ["carl@partner.example"], subject: "Proposal for Lena", body: "Our proposal, as promised.", attachments: [file] };
    const mail = await assertComposed(received[0], want);
    assert.equal(mail.messageId, item.summary.messageId);
    await assertNoBcc(received[0], "boss@client.example");

    // The helper's copy in Sent keeps the Bcc.
    const sent = (await imapMessages(servers, "Sent")).filter((raw) => raw.includes(item.summary.messageId));
    assert.equal(sent.length, 1, "one copy in Sent");
    const copy = await assertComposed(sent[0], want);
    assert.deepEqual(copy.bcc?.value.map((a) => a.address), ["boss@client.example"]);

    await timelineShows(app, ids.contact, "Lena Okafor", "Proposal for Lena");
  });
});
