// A reply from a record to an email on its timeline keeps the thread, in
// one browser session with a Gmail and a Microsoft 365 inbox against the
// sandbox: Reply on the timeline entry opens the dialog with To, the alias
// it went from and "Re: <subject>"; what the provider receives carries
// In-Reply-To and References = the first email's Message-ID, and Gmail's
// messages.send the first's threadId. Also the screens around it: the
// timeline names the inbox and alias, the "Sending your email…" toast goes
// once the send is known, the Drafts list shows a draft saved in another
// tab, the feature disclosure's "Turning it off" stands apart from its scopes.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { launchBrowser, startSandbox } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";
import { timelineShows } from "./send-check.mjs";
import { SendApp, delivered, gmailSendBodies } from "./send-ui.mjs";

const ANN = { provider: "google", address: "ann@acme-corp.example", displayName: "Ann Archer", aliases: ["sales@acme-corp.example"] };
const BOB = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker" };
const DNS = [
  { name: "acme-corp.example", type: "MX", data: "1 aspmx.l.google.com." },
  { name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." },
];

let sandbox;
let browser;
let app;
const ids = {};

before(async () => {
  sandbox = await startSandbox();
  await seed(sandbox, { accounts: [ANN, BOB], dns: DNS });
  browser = await launchBrowser(sandbox);
  const inbox = await InboxPage.open(browser);
  await inbox.connect(ANN.address, "Gmail");
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

/** Composes from Lena's page and sends; returns the outbox item once sent. */
async function sendToLena(fields) {
  await app.go(`#/contact/${ids.contact}`);
  await app.waitHeading("Lena Okafor");
  await app.composeFromRecord();
  await app.fillCompose(fields);
  assert.equal(await app.clickSend(), null, "the dialog closed without a refusal");
  return app.waitOutbox(fields.subject, ["sent"], 60_000);
}

/** Replies from the timeline entry of `subject` with `body`; returns the dialog's prefilled fields and the sent item. */
async function replyTo(subject, body) {
  await timelineShows(app, ids.contact, "Lena Okafor", subject);
  const dialog = await app.replyFromTimeline(subject);
  const shown = {
    from: await dialog.getByLabel("From", { exact: true }).inputValue(),
    to: await dialog.getByLabel("To", { exact: true }).inputValue(),
    subject: await dialog.getByLabel("Subject", { exact: true }).inputValue(),
  };
  await app.fillCompose({ body });
  assert.equal(await app.clickSend(), null, "the reply's dialog closed without a refusal");
  const item = await app.waitOutbox(shown.subject, ["sent"], 60_000);
  return { shown, item };
}

describe("Reply from a record", () => {
  test("Gmail: Reply on the timeline entry answers Lena from the alias, in the first email's thread (threadId, In-Reply-To, References, one Re:)", async () => {
    await app.go(`#/contact/${ids.contact}`);
    await app.waitHeading("Lena Okafor");
    await app.composeFromRecord();
    await app.fillCompose({ from: "sales@acme-corp.example", subject: "Proposal", body: "Our proposal, as promised." });
    assert.equal(await app.clickSend(), null);
    // "Sending your email…" goes once the outbox knows: well before its 8 s.
    const shownAt = Date.now();
    const toast = app.page.locator(".toast", { hasText: "Sending your email" });
    await toast.waitFor({ state: "detached", timeout: 7_000 });
    const first = await app.waitOutbox("Proposal", ["sent"], 1_000);
    assert.ok(Date.now() - shownAt < 7_000);
    assert.ok(first.view.state.threadId, `Gmail answered a threadId: ${JSON.stringify(first.view.state)}`);

    // The entry names the alias and the inbox it went through.
    const [entry] = await timelineShows(app, ids.contact, "Lena Okafor", "Proposal");
    assert.match(entry, /From sales@acme-corp\.example \(alias of ann@acme-corp\.example\)/);

    const { shown, item } = await replyTo("Proposal", "Here are the figures.");
    assert.deepEqual(shown, { from: "sales@acme-corp.example", to: "lena@client.example", subject: "Re: Proposal" });

    const sends = await gmailSendBodies(sandbox);
    assert.equal(sends.length, 2, "two messages.send calls");
    assert.equal(sends[0].threadId, undefined, "the first started a thread");
    assert.equal(sends[1].threadId, first.view.state.threadId, "the reply went in the first's thread");
    const messages = await delivered(sandbox, ANN.address);
    assert.equal(messages.length, 2);
    const reply = await simpleParser(messages[1].raw);
    assert.equal(reply.messageId, item.summary.messageId);
    assert.equal(reply.subject, "Re: Proposal");
    assert.equal(reply.inReplyTo, first.summary.messageId);
    assert.equal(reply.references, first.summary.messageId);
    assert.equal(reply.from?.value[0]?.address, "sales@acme-corp.example");
    assert.deepEqual(reply.to?.value.map((a) => a.address), ["lena@client.example"]);

    // A reply to the reply: still one "Re:" (the dialog is closed unsent).
    await timelineShows(app, ids.contact, "Lena Okafor", "Re: Proposal");
    const again = await app.replyFromTimeline("Re: Proposal");
    assert.equal(await again.getByLabel("Subject", { exact: true }).inputValue(), "Re: Proposal");
    await again.getByRole("button", { name: "Close without sending" }).click();
    await again.waitFor({ state: "detached" });
  });

  test("Microsoft 365: the reply goes from the same inbox with In-Reply-To and References of the first (Graph threads by the headers)", async () => {
    const first = await sendToLena({ from: BOB.address, subject: "Renewal", body: "The renewal terms." });
    const [entry] = await timelineShows(app, ids.contact, "Lena Okafor", "Renewal");
    assert.match(entry, /From bob@contoso\.example/);
    assert.doesNotMatch(entry, /alias of/);

    const { shown, item } = await replyTo("Renewal", "One more thing.");
    assert.deepEqual(shown, { from: BOB.address, to: "lena@client.example", subject: "Re: Renewal" });
    const sends = await delivered(sandbox, BOB.address, "microsoft");
    assert.equal(sends.length, 2);
    const reply = await simpleParser(sends[1].transmitted);
    assert.equal(reply.messageId, item.summary.messageId);
    assert.equal(reply.subject, "Re: Renewal");
    assert.equal(reply.inReplyTo, first.summary.messageId);
    assert.equal(reply.references, first.summary.messageId);
  });

  test("the Drafts list shows a draft saved in another tab without a reload", async () => {
    await app.go("#/drafts");
    await app.waitHeading("Drafts");
    const other = await SendApp.open(browser);
    await other.value({
      type: "sendSaveDraft",
      draft: { from: ANN.address, to: [{ address: "lena@client.example" }], subject: "Saved in another tab", html: "<p>later</p>" },
    });
    await other.page.close();
    await app.page.locator(".drafts li", { hasText: "Saved in another tab" }).waitFor({ timeout: 5_000 });
  });

  test("the feature disclosure's 'Turning it off' paragraph stands apart from the scopes list", async () => {
    const inbox = await InboxPage.open(browser, "app.html");
    const account = inbox.account(BOB.address);
    await account.locator('label[data-feature="scheduledDelivery"] input').click();
    const disclosure = inbox.page.locator('.feature-disclosure[data-feature="scheduledDelivery"]');
    await disclosure.waitFor({ timeout: 15_000 });
    const gap = await disclosure.evaluate((d) => d.querySelector(".turning-off").getBoundingClientRect().top - d.querySelector(".scopes").getBoundingClientRect().bottom);
    assert.ok(gap >= 8, `${gap}px between the scopes and "Turning it off"`);
    await disclosure.getByRole("button", { name: "Not now" }).click();
    await inbox.page.close();
  });
});
