// Sending from a record through a Microsoft 365 inbox, end to end in
// Chromium with the real worker, core and outbox against the sandbox's
// Graph: exactly one delivery (GET /deliveries?provider=microsoft) whose
// MIME carries From, the recipients, subject, both bodies and the attachment
// byte for byte, no Bcc in what recipients get; the timeline shows it. A
// scheduled email is handed over with deferred delivery: a draft carrying
// PidTagDeferredSendTime (0x3FEF), then its send, never sendMail; one
// cancelled from the Outbox screen before its time is never delivered.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startSandbox } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";
import { SendApp, delivered } from "./send-ui.mjs";
import { assertComposed, assertNoBcc, binaryAttachment, timelineShows } from "./send-check.mjs";

const BOB = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker", aliases: ["sales@contoso.example"] };
const DNS = [{ name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." }];
const GRAPH = "graph.microsoft.com";

let sandbox;
let browser;
let app;
const ids = {};
const graphSends = () => delivered(sandbox, BOB.address, "microsoft");

before(async () => {
  sandbox = await startSandbox();
  await seed(sandbox, { accounts: [BOB], dns: DNS });
  browser = await launchBrowser(sandbox);
  const inbox = await InboxPage.open(browser);
  await inbox.connect(BOB.address, "Microsoft");
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
  await sandbox?.stop();
});

async function composeToLena(fields) {
  await app.go(`#/contact/${ids.contact}`);
  await app.waitHeading("Lena Okafor");
  const dialog = await app.composeFromRecord();
  assert.equal(await dialog.getByLabel("To", { exact: true }).inputValue(), "Lena Okafor <lena@client.example>");
  await app.fillCompose(fields);
}

describe("Microsoft 365", () => {
  test("composed from a contact: Graph delivers exactly one message with From, recipients, subject, both bodies and the attachment byte for byte, no Bcc in what recipients get; the timeline shows it", async () => {
    const file = binaryAttachment();
    await composeToLena({
      from: BOB.address,
      cc: "carl@partner.example",
      bcc: "boss@client.example",
      subject: "Proposal for {{contact.firstName}}",
      body: "Our proposal, as promised.",
      files: [file],
    });
    assert.equal(await app.clickSend(), null, "the dialog closed without a refusal");
    const item = await app.waitOutbox("Proposal for Lena", ["sent"], 60_000);

    const sends = await graphSends();
    assert.equal(sends.length, 1, "exactly one message delivered");
    assert.equal(sends[0].via, "graph sendMail");
    assert.deepEqual([...sends[0].recipients].sort(), ["boss@client.example", "carl@partner.example", "lena@client.example"]);
    const want = { from: BOB.address, to: ["lena@client.example"], cc: ["carl@partner.example"], subject: "Proposal for Lena", body: "Our proposal, as promised.", attachments: [file] };
    const mail = await assertComposed(sends[0].transmitted, want);
    assert.equal(mail.messageId, item.summary.messageId);
    await assertNoBcc(sends[0].transmitted, "boss@client.example");
    await assertComposed(sends[0].raw, want);

    await timelineShows(app, ids.contact, "Lena Okafor", "Proposal for Lena");
  });

  // The alias comes from Graph's /me proxyAddresses (smtp:…), which the sandbox serves from the seeded aliases.
  test("sent from an alias of the inbox: the alias is offered and is the From that Graph delivers", async () => {
    const before = (await graphSends()).length;
    await app.go(`#/contact/${ids.contact}`);
    await app.waitHeading("Lena Okafor");
    const dialog = await app.composeFromRecord();
    const options = await dialog.locator("#compose-from option").allInnerTexts();
    assert.ok(options.some((o) => o.startsWith("sales@contoso.example (alias of bob@contoso.example)")), JSON.stringify(options));
    await app.fillCompose({ from: "sales@contoso.example", subject: "From the team", body: "Hello from sales." });
    assert.equal(await app.clickSend(), null);
    const item = await app.waitOutbox("From the team", ["sent"], 60_000);
    assert.equal(item.summary.from, "sales@contoso.example");
    const sends = (await graphSends()).slice(before);
    assert.equal(sends.length, 1);
    await assertComposed(sends[0].transmitted, { from: "sales@contoso.example", to: ["lena@client.example"], subject: "From the team", body: "Hello from sales." });
  });

  test("a scheduled email from an inbox that granted Mail.Send only: no promise of deferred delivery, it waits in the outbox, then leaves at its time through sendMail exactly once, with no deferred send time", async () => {
    const before = (await graphSends()).length;
    await sandbox.control("DELETE", "/requests");
    await composeToLena({ subject: "Scheduled hello", body: "Later." });
    // Without Mail.ReadWrite Inlay can't put a draft in the mailbox: the browser holds the email, and the dialog says so.
    await app.dialog().getByRole("button", { name: "Schedule…" }).click();
    const hint = await app.dialog().locator(".compose-schedule").innerText();
    assert.doesNotMatch(hint, /delivers it at this time even if your browser is closed/);
    assert.match(hint, /leaves while your browser is open/);
    await app.dialog().getByRole("button", { name: "Send now instead" }).click();
    assert.equal(await app.schedule(Date.now() + 3600_000), null);
    const waiting = await app.waitOutbox("Scheduled hello", ["scheduled"]);
    assert.equal((await graphSends()).length, before, "nothing leaves before its time");

    // Brought forward to a few seconds from now: the outbox alarm sends it.
    await app.value({ type: "sendReschedule", id: waiting.id, at: Date.now() + 3_000 });
    await app.waitOutbox("Scheduled hello", ["sent"], 90_000);
    const sends = (await graphSends()).slice(before);
    assert.equal(sends.length, 1, "sent once");
    assert.equal(sends[0].via, "graph sendMail");
    assert.equal(sends[0].deliverAt, null, "no deferred send time on sendMail (it would deliver now and again later)");
    const paths = (await sandbox.control("GET", `/requests?host=${GRAPH}`)).map((r) => `${r.method} ${r.path}`);
    assert.ok(!paths.some((p) => p.startsWith("PATCH ")), `no draft was changed: ${paths}`);
  });

  test("with 'Deliver scheduled email with the browser closed' turned on, a scheduled email is handed over with deferred delivery: a draft with 0x3FEF, then its send, never sendMail", async () => {
    // The inbox list's switch: the disclosure, then Microsoft's sign-in for the added permission (Mail.ReadWrite).
    const inbox = await InboxPage.open(browser, "app.html");
    const account = inbox.account(BOB.address);
    await account.locator('label[data-feature="scheduledDelivery"] input').click();
    const disclosure = inbox.page.locator('.feature-disclosure[data-feature="scheduledDelivery"]');
    await disclosure.waitFor({ timeout: 15_000 });
    assert.match(await disclosure.innerText(), /Mail\.ReadWrite/);
    await disclosure.getByRole("button", { name: "Continue" }).click();
    await account.locator('label[data-feature="scheduledDelivery"] input:checked').waitFor({ timeout: 30_000 });
    assert.match(await account.innerText(), /Scheduled email leaves at its time even with the browser closed/);
    await inbox.page.close();

    const before = (await graphSends()).length;
    await sandbox.control("DELETE", "/requests");
    const at = Date.now() + 3600_000;
    await composeToLena({ subject: "Deferred hello", body: "Later." });
    await app.dialog().getByRole("button", { name: "Schedule…" }).click();
    assert.match(await app.dialog().locator(".compose-schedule").innerText(), /Microsoft delivers it at this time even if your browser is closed/);
    const local = new Date(at - new Date(at).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await app.dialog().getByLabel("Send at").fill(local);
    assert.equal(await app.clickSend("Schedule"), null);
    const item = await app.waitOutbox("Deferred hello", ["handedOver"], 60_000);
    assert.equal(item.view.state.kind, "handedOver");
    assert.equal((await graphSends()).length, before, "Microsoft holds it until its time");
    const requests = await sandbox.control("GET", `/requests?host=${GRAPH}`);
    const paths = requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(!paths.some((p) => p.endsWith("/sendMail")), `never sendMail: ${paths}`);
    const patch = requests.find((r) => r.method === "PATCH" && r.path.startsWith("/v1.0/me/messages/"));
    assert.match(patch?.body ?? "", /SystemTime 0x3FEF/, "the draft carries PidTagDeferredSendTime");

    // A second one, cancelled from the Outbox screen: deleted at Microsoft before its time.
    await composeToLena({ subject: "Cancelled hello", body: "Never." });
    assert.equal(await app.schedule(at), null);
    const doomed = await app.waitOutbox("Cancelled hello", ["handedOver"], 60_000);
    await app.go("#/outbox");
    await app.waitHeading("Outbox");
    const row = app.page.locator(`[data-outbox="${doomed.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.match(await app.page.locator("#outbox-scheduled").locator("..").innerText(), /Cancelled hello/, "listed under Scheduled");
    assert.match(await row.innerText(), /Microsoft delivers it at .+, even with the browser closed\./);
    await row.getByRole("button", { name: "Cancel" }).click();
    await app.page.locator(`[data-outbox="${doomed.id}"][data-state="cancelled"]`).waitFor({ timeout: 30_000 });
    const deleted = (await sandbox.control("GET", `/requests?host=${GRAPH}`)).filter((r) => r.method === "DELETE");
    assert.equal(deleted.length, 1, "one DELETE of the waiting message");

    // Two hours on (the sandbox clock): the first is delivered once, at the minute chosen; the cancelled one never.
    await sandbox.control("POST", "/clock", { advanceSeconds: 7200 });
    const sends = (await graphSends()).slice(before);
    assert.deepEqual(sends.map((s) => s.subject), ["Deferred hello"], "only the email not cancelled left");
    assert.equal(sends[0].via, "graph send (deferred)");
    assert.equal(Math.floor(Date.parse(sends[0].deliverAt) / 60_000), Math.floor(at / 60_000), "the minute the user chose");
  });
});
