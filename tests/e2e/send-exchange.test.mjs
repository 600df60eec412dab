// Sending from a record through an Exchange (on-premises) inbox, end to end
// in Chromium with the real worker, core and outbox against the sandbox's
// EWS: a draft (CreateItem SaveOnly) sent by SendItem is recorded as a delivery (GET
// /deliveries?provider=exchange): exactly one, whose MIME carries From, the
// recipients, subject, both bodies and the attachment byte for byte, and
// whose transmitted copy has no Bcc; the timeline shows it. The worker
// stopped (CDP) after SendItem was accepted and before its answer still
// ends with exactly one delivery. A scheduled email is handed to Exchange at
// once with its deferred send time (0x3FEF); one cancelled from the Outbox
// screen before its time is never delivered when the sandbox clock passes it.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { grantHostPermissions, launchBrowser, startSandbox } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";
import { stopWorker } from "./crm-ui.mjs";
import { SendApp, afterAccept, delivered } from "./send-ui.mjs";
import { assertComposed, assertNoBcc, binaryAttachment, timelineShows } from "./send-check.mjs";

const DOMAIN = "contoso-exchange.example";
const ANN = `ann@${DOMAIN}`;
const PASSWORD = "Exch-pa55-8121";
const EWS_HOST = `mail.${DOMAIN}`;
const EWS_URL = `https://${EWS_HOST}/EWS/Exchange.asmx`;

let sandbox;
let browser;
let app;
const ids = {};
const exchangeSends = () => delivered(sandbox, ANN, "exchange");

before(async () => {
  sandbox = await startSandbox();
  await seed(sandbox, { accounts: [{ provider: "exchange", address: ANN, displayName: "Ann Exchange", password: PASSWORD, autodiscover: "none" }] });
  browser = await launchBrowser(sandbox);
  await grantHostPermissions(browser, [`https://${EWS_HOST}/*`, `https://${DOMAIN}/*`, `https://autodiscover.${DOMAIN}/*`, `http://autodiscover.${DOMAIN}/*`]);
  // Connected as the Exchange e2e does with a typed EWS URL.
  const inbox = await InboxPage.open(browser, "app.html");
  await inbox.openPasswordForm(ANN, "Exchange");
  await inbox.page.getByLabel("Show optional fields").check();
  await inbox.page.getByLabel(/Exchange URL/).fill(EWS_URL);
  await inbox.submitExchange(PASSWORD);
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
  await sandbox?.stop();
});

/** On the Outbox screen: a handed-over email is under Scheduled with Cancel; cancelled once the provider confirms. */
async function cancelInOutbox(id) {
  await app.go("#/outbox");
  await app.waitHeading("Outbox");
  const row = app.page.locator(`[data-outbox="${id}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.match(await app.page.locator("#outbox-scheduled").locator("..").innerText(), /Cancelled hello/, "listed under Scheduled");
  assert.match(await row.innerText(), /Microsoft delivers it at .+, even with the browser closed\./);
  await row.getByRole("button", { name: "Cancel" }).click();
  await app.page.locator(`[data-outbox="${id}"][data-state="cancelled"]`).waitFor({ timeout: 30_000 });
}

async function composeToLena(fields) {
  await app.go(`#/contact/${ids.contact}`);
  await app.waitHeading("Lena Okafor");
  const dialog = await app.composeFromRecord();
  assert.equal(await dialog.getByLabel("To", { exact: true }).inputValue(), "Lena Okafor <lena@client.example>");
  await app.fillCompose(fields);
}

describe("Exchange", () => {
  test("composed from a contact: EWS delivers exactly one message with From, recipients, subject, both bodies and the attachment byte for byte, no Bcc in what recipients get; the timeline shows it", async () => {
    const file = binaryAttachment();
    await composeToLena({
      from: ANN,
      cc: "carl@partner.example",
      bcc: "boss@client.example",
      subject: "Proposal for {{contact.firstName}}",
      body: "Our proposal, as promised.",
      files: [file],
    });
    assert.equal(await app.clickSend(), null, "the dialog closed without a refusal");
    const item = await app.waitOutbox("Proposal for Lena", ["sent"], 60_000);

    const sends = await exchangeSends();
    assert.equal(sends.length, 1, "exactly one message delivered");
    assert.equal(sends[0].via, "ews SendItem");
    assert.equal(sends[0].deliverAt, null, "sent now, not deferred");
    assert.deepEqual([...sends[0].recipients].sort(), ["boss@client.example", "carl@partner.example", "lena@client.example"]);
    const want = { from: ANN, to: ["lena@client.example"], cc: ["carl@partner.example"], subject: "Proposal for Lena", body: "Our proposal, as promised.", attachments: [file] };
    const mail = await assertComposed(sends[0].transmitted, want);
    assert.equal(mail.messageId, item.summary.messageId);
    await assertNoBcc(sends[0].transmitted, "boss@client.example");
    await assertComposed(sends[0].raw, want);

    await timelineShows(app, ids.contact, "Lena Okafor", "Proposal for Lena");
  });

  test("the worker stopped after SendItem was accepted and before its answer: after restart it is delivered exactly once", async () => {
    const before = (await exchangeSends()).length;
    // EWS takes the message and answers only after 20 s: the worker is stopped meanwhile.
    await afterAccept(sandbox, { delayMs: 20_000, bodyContains: "<m:SendItem" }, EWS_HOST, "/EWS/Exchange.asmx");
    await composeToLena({ subject: "Stopped mid-send", body: "Once only." });
    assert.equal(await app.clickSend(), null);
    const deadline = Date.now() + 20_000;
    while ((await exchangeSends()).length === before) {
      assert.ok(Date.now() < deadline, "the send never reached EWS");
      await new Promise((r) => setTimeout(r, 100));
    }
    // The delayed request was the send itself.
    const faulted = (await sandbox.control("GET", `/requests?host=${EWS_HOST}`)).filter((r) => r.faultId !== undefined);
    assert.equal(faulted.length, 1);
    assert.match(faulted[0].body, /SendItem/);
    await stopWorker(browser, app.page);

    // A new worker finds it `sending`: it may have left, so it looks in Sent (EWS FindItem) instead of sending again.
    await app.waitOutbox("Stopped mid-send", ["sent"], 60_000);
    const sends = (await exchangeSends()).slice(before);
    assert.equal(sends.length, 1, "exactly one delivered");
    assert.equal((await simpleParser(sends[0].transmitted)).subject, "Stopped mid-send");
  });

  test("the answer to SendItem lost after Exchange accepted it (connection reset): found by FindItem, never sent twice", async () => {
    const before = (await exchangeSends()).length;
    const seen = Math.max(0, ...(await sandbox.control("GET", `/requests?host=${EWS_HOST}`)).map((r) => r.seq));
    // What the worker asked for (Playwright sees each fetch once), against what reached EWS.
    const fetched = [];
    const onRequest = (r) => r.url() === EWS_URL && /SendItem/.test(r.postData() ?? "") && fetched.push(r.url());
    browser.context.on("request", onRequest);
    await afterAccept(sandbox, { reset: true, bodyContains: "<m:SendItem" }, EWS_HOST, "/EWS/Exchange.asmx");
    await composeToLena({ subject: "Answer lost", body: "Once only." });
    assert.equal(await app.clickSend(), null);
    await app.waitOutbox("Answer lost", ["sent"], 60_000);
    const sends = (await exchangeSends()).slice(before);
    const creates = (await sandbox.control("GET", `/requests?host=${EWS_HOST}`))
      .filter((r) => r.seq > seen && /SendItem/.test(r.body))
      .map((r) => ({ seq: r.seq, faultId: r.faultId ?? null }));
    browser.context.off("request", onRequest);
    assert.equal(sends.length, 1, `exactly one delivered; SendItem requests at EWS: ${JSON.stringify(creates)}, SendItem fetches by the worker: ${fetched.length}`);
    assert.equal((await simpleParser(sends[0].transmitted)).subject, "Answer lost");
    const finds = (await sandbox.control("GET", `/requests?host=${EWS_HOST}`)).filter((r) => r.seq > seen && /FindItem/.test(r.body));
    assert.ok(finds.length >= 1, "Sent was searched before the email was called sent");
  });

  test("a 503 after Exchange accepted SendItem: it may have been sent, so it is looked up (FindItem) and found, never sent twice", async () => {
    const before = (await exchangeSends()).length;
    await afterAccept(sandbox, { status: 503, bodyContains: "<m:SendItem" }, EWS_HOST, "/EWS/Exchange.asmx");
    await composeToLena({ subject: "Server error after accepting", body: "Once only." });
    assert.equal(await app.clickSend(), null);
    await app.waitOutbox("Server error after accepting", ["sent"], 60_000);
    const sends = (await exchangeSends()).slice(before);
    assert.equal(sends.length, 1, "exactly one delivered");
    assert.equal((await simpleParser(sends[0].transmitted)).subject, "Server error after accepting");
  });

  test("Exchange busy (ErrorServerBusy with BackOffMilliseconds): nothing was delivered, it is sent again after the pause, once", async () => {
    const before = (await exchangeSends()).length;
    await sandbox.control("POST", "/faults", { host: EWS_HOST, method: "POST", pathPrefix: "/EWS/Exchange.asmx", times: 1, ewsServerBusyMs: 3000 });
    await composeToLena({ subject: "Busy server", body: "After a pause." });
    assert.equal(await app.clickSend(), null);
    const item = await app.waitOutbox("Busy server", ["sent"], 90_000);
    const sends = (await exchangeSends()).slice(before);
    assert.equal(sends.length, 1, "exactly one delivered");
    const busy = (await sandbox.control("GET", `/requests?host=${EWS_HOST}`)).filter((r) => r.faultId !== undefined && /CreateItem/.test(r.body));
    assert.ok(busy.length >= 1, "the refused attempt was a CreateItem");
    assert.ok(sends[0].acceptedAt - item.createdAt >= 3000, `sent again only after the pause: ${sends[0].acceptedAt - item.createdAt} ms`);
  });

  test("a scheduled email is handed to Exchange at once with its deferred send time (0x3FEF); one cancelled in the Outbox before its time is never delivered", async () => {
    const before = (await exchangeSends()).length;
    const at = Date.now() + 3600_000;
    await composeToLena({ subject: "Scheduled hello", body: "Later." });
    assert.equal(await app.schedule(at), null);
    await composeToLena({ subject: "Cancelled hello", body: "Never." });
    assert.equal(await app.schedule(at), null);
    const item = await app.waitOutbox("Scheduled hello", ["handedOver"], 60_000);
    const doomed = await app.waitOutbox("Cancelled hello", ["handedOver"], 60_000);
    assert.equal(item.view.state.kind, "handedOver");
    assert.equal((await exchangeSends()).length, before, "Exchange holds both until their time");

    // The Outbox lists it under Scheduled with Microsoft's promise, and Cancel deletes it at Exchange.
    await cancelInOutbox(doomed.id);

    // Two hours on (the sandbox clock): the one kept is delivered once, at the minute chosen; the cancelled one never.
    await sandbox.control("POST", "/clock", { advanceSeconds: 7200 });
    const sends = (await exchangeSends()).slice(before);
    assert.deepEqual(sends.map((s) => s.subject), ["Scheduled hello"], "only the email not cancelled left");
    assert.equal(Math.floor(Date.parse(sends[0].deliverAt) / 60_000), Math.floor(at / 60_000), "the minute the user chose");
  });
});
