// Sending's edge cases, end to end in Chromium with the real worker, core
// and outbox against the sandbox's Gmail and Graph, one browser for the
// file with a Gmail and a Microsoft 365 inbox connected: an over-size
// attachment refused before anything is uploaded; an access token that
// expired at the provider renewed in the middle of the send (401, refresh,
// one delivery); CR/LF through every compose field refused in words with
// nothing delivered; an XSS corpus through contact names, subjects,
// template and attachment names inert on the compose, Outbox, Drafts and
// Templates screens; Graph's draft + upload session for an email over
// 4 MB (a 503 on the draft retried), the attachment byte-identical; 429
// with Retry-After on Gmail and on Graph sent once after the pause; a 503
// on a delivering call looked up in Sent, not found, sent again once.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { launchBrowser, startSandbox } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";
import { SendApp, delivered } from "./send-ui.mjs";
import { assertComposed, binaryAttachment } from "./send-check.mjs";

const ANN = { provider: "google", address: "ann@acme-corp.example", displayName: "Ann Archer" };
const BOB = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker" };
const DNS = [
  { name: "acme-corp.example", type: "MX", data: "1 aspmx.l.google.com." },
  { name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." },
];
const GMAIL = "gmail.googleapis.com";
const GRAPH = "graph.microsoft.com";
const MB = 1024 * 1024;

let sandbox;
let browser;
let app;
const ids = {};
const gmailSends = () => delivered(sandbox, ANN.address, "google");
const graphSends = () => delivered(sandbox, BOB.address, "microsoft");
/** Recorded requests to `host` after `seq` (whose path starts with `prefix`). */
const requestsSince = async (seq, host, prefix = "") =>
  (await sandbox.control("GET", `/requests?host=${host}&pathPrefix=${encodeURIComponent(prefix)}`)).filter((r) => r.seq > seq);
const lastSeq = async () => Math.max(0, ...(await sandbox.control("GET", "/requests")).map((r) => r.seq));

before(async () => {
  sandbox = await startSandbox();
  await seed(sandbox, { accounts: [ANN, BOB], dns: DNS });
  browser = await launchBrowser(sandbox);
  for (const [account, label] of [
    [ANN, "Gmail"],
    [BOB, "Microsoft"],
  ]) {
    const inbox = await InboxPage.open(browser);
    await inbox.connect(account.address, label);
    await inbox.page.close();
  }
  // The inbox list's switches: Mail.ReadWrite for Graph's drafts and upload sessions (and its Sent
  // lookup), gmail.metadata for Gmail's Sent lookup.
  const inbox = await InboxPage.open(browser, "app.html");
  for (const [address, feature] of [
    [BOB.address, "scheduledDelivery"],
    [ANN.address, "sentCheck"],
  ]) {
    await inbox.account(address).locator(`label[data-feature="${feature}"] input`).click();
    const disclosure = inbox.page.locator(`.feature-disclosure[data-feature="${feature}"]`);
    await disclosure.waitFor({ timeout: 15_000 });
    await disclosure.getByRole("button", { name: "Continue" }).click();
    await inbox.account(address).locator(`label[data-feature="${feature}"] input:checked`).waitFor({ timeout: 30_000 });
  }
  await inbox.page.close();

  app = await SendApp.open(browser);
  // Every payload of the XSS corpus sets window.__xss if it ever runs.
  await app.page.addInitScript(() => {
    window.__xss = 0;
  });
  await app.page.reload();
  await app.page.getByRole("navigation", { name: "Inlay" }).waitFor();
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
  await app.composeFromRecord();
  await app.fillCompose(fields);
}

async function closeDialog() {
  await app.dialog().getByRole("button", { name: "Close without sending" }).click();
  await app.dialog().waitFor({ state: "detached" });
}

describe("sending, edge cases", () => {
  test("an attachment over Gmail's 25 MB is refused before anything is uploaded, naming the limit and what to do", async () => {
    const seq = await lastSeq();
    const dir = mkdtempSync(join(tmpdir(), "inlay-big-"));
    const big = { name: "catalogue.bin", path: join(dir, "catalogue.bin") };
    writeFileSync(big.path, Buffer.alloc(25 * MB + 1, 7));
    await composeToLena({ from: ANN.address, subject: "The catalogue", body: "Attached.", files: [big] });
    const refusal = await app.clickSend();
    assert.match(refusal ?? "", /catalogue\.bin/, refusal ?? "no refusal shown");
    assert.match(refusal, /Gmail/);
    assert.match(refusal, /25 MB/, "the limit");
    assert.match(refusal, /link/i, "what to do");
    await closeDialog();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(await requestsSince(seq, GMAIL), [], "nothing reached Gmail");
    assert.equal((await app.outbox()).filter((i) => i.summary.subject === "The catalogue").length, 0);
  });

  test("an access token expired at Google is renewed in the middle of the send: the send gets 401, the worker refreshes, one delivery", async () => {
    const before = (await gmailSends()).length;
    const seq = await lastSeq();
    await composeToLena({ from: ANN.address, subject: "After the expiry", body: "Still once." });
    // The sandbox's clock moves past the access token's hour; the browser's does not, so the
    // worker still holds its token as valid and sends with it.
    await sandbox.control("POST", "/clock", { advanceSeconds: 3700 });
    const refreshesBefore = (await sandbox.control("GET", "/oauth/log?provider=google&endpoint=token")).filter((e) => e.grantType === "refresh_token").length;
    assert.equal(await app.clickSend(), null);
    await app.waitOutbox("After the expiry", ["sent"], 60_000);

    const sends = (await gmailSends()).slice(before);
    assert.equal(sends.length, 1, "exactly one delivery");
    const attempts = await requestsSince(seq, GMAIL, "/gmail/v1/users/me/messages/send");
    const uploads = await requestsSince(seq, GMAIL, "/upload/gmail/v1/users/me/messages/send");
    const tokens = [...attempts, ...uploads].sort((a, b) => a.seq - b.seq).map((r) => r.headers.find(([k]) => k === "authorization")?.[1]);
    assert.equal(tokens.length, 2, "the refused send, then the one with the new token");
    assert.notEqual(tokens[0], tokens[1], "sent again with a renewed token");
    const refreshes = (await sandbox.control("GET", "/oauth/log?provider=google&endpoint=token")).filter((e) => e.grantType === "refresh_token");
    assert.equal(refreshes.length, refreshesBefore + 1, "one refresh");
  });

  test("CR/LF through every compose field is refused in words and nothing is delivered", async () => {
    const before = { gmail: (await gmailSends()).length };
    const lena = { address: "lena@client.example", name: "Lena" };
    const clean = { from: ANN.address, to: [lena], cc: [], bcc: [], subject: "Injection", html: "<p>Hi</p>", attachments: [], record: null, signature: false };
    const staged = await app.value({ type: "sendAttachmentChunk", attachmentId: null, index: 0, data: Buffer.from("hello").toString("base64") });
    const cases = [
      ["To", { to: [{ address: "lena@client.example\r\nBcc: evil@attacker.example" }] }],
      ["Cc", { cc: [{ address: "carl@partner.example\r\nBcc: evil@attacker.example" }] }],
      ["Bcc", { bcc: [{ address: "boss@client.example\nX-Evil: 1" }] }],
      ["Subject", { subject: "Hello\r\nBcc: evil@attacker.example" }],
      ["Subject (bare LF)", { subject: "Hello\nContent-Type: text/html" }],
    ];
    const outcomes = [];
    // Each stored as a draft (page fields can't hold a line break: the browser strips it from
    // an input as it is typed), then opened in Drafts and sent from the dialog like any draft.
    for (const [field, change] of cases) {
      const draft = await app.value({ type: "sendSaveDraft", draft: { ...clean, ...change } });
      await app.go("#/drafts");
      await app.page.reload();
      await app.waitHeading("Drafts");
      await app.page.locator(`[data-draft="${draft.id}"]`).getByRole("button", { name: "Open" }).click();
      await app.dialog().waitFor();
      const refusal = await app.clickSend();
      outcomes.push([field, refusal]);
      await closeDialog();
      await app.value({ type: "sendDeleteDraft", id: draft.id });
    }
    // A template's subject chosen in the dialog.
    const template = await app.value({ type: "sendSaveTemplate", template: { name: "Injected", subject: "Offer\r\nBcc: evil@attacker.example", html: "<p>Hi</p>" } });
    await composeToLena({ from: ANN.address });
    await app.dialog().getByLabel("Template", { exact: true }).selectOption({ label: "Injected" });
    outcomes.push(["Subject from a template", await app.clickSend()]);
    await closeDialog();
    await app.value({ type: "sendDeleteTemplate", id: template.id });
    // A file whose name holds a line break, attached in the dialog: refused as it is attached, naming what to do.
    await composeToLena({ from: ANN.address, subject: "Injection" });
    await app.dialog().locator("#compose-files").setInputFiles([{ name: "a.txt\r\nContent-Type: text/html", mimeType: "text/plain", buffer: Buffer.from("x") }]);
    const attachRefusal = await app.dialog().locator('[role="alert"]').innerText({ timeout: 10_000 });
    assert.match(attachRefusal, /a\.txt Content-Type: text\/html can't be attached: .*line break.*Rename the file/s);
    assert.equal(await app.dialog().getByRole("list", { name: "Attachments" }).count(), 0, "nothing staged");
    outcomes.push(["Attached file's name", attachRefusal]);
    await closeDialog();
    // An attachment's name and a recipient's name: refused as the request is read.
    for (const [field, change] of [
      ["Attachment name", { attachments: [{ id: staged.attachmentId, name: "a.txt\r\nContent-Type: text/html", contentType: "text/plain", size: 5 }] }],
      ["To's display name", { to: [{ address: "lena@client.example", name: "Lena\r\nBcc: evil@attacker.example" }] }],
    ]) {
      const reply = await app.send({ type: "sendSubmit", draft: { ...clean, ...change }, at: null });
      outcomes.push([field, reply?.ok ? null : reply?.error?.message]);
    }

    for (const [field, refusal] of outcomes) {
      assert.ok(refusal, `${field}: not refused`);
      // A stored address with a line break reads as two in the To line (one per line): the second is no address.
      assert.match(refusal, /line break|control character|not a valid email address/i, `${field}: ${refusal}`);
    }
    assert.equal((await gmailSends()).length, before.gmail, "nothing delivered");
    const injected = (await app.outbox()).filter((i) => /Injection|Hello|Offer/.test(i.summary.subject));
    assert.deepEqual(injected, [], "nothing in the outbox");
  });

  test("an XSS corpus in a contact's name, subjects, a template's name and an attachment's name stays inert in the compose dialog, Outbox, Drafts and Templates", async () => {
    const [name, last, subject, template, file] = [CORPUS[0], CORPUS[2], `${CORPUS[1]} ${CORPUS[4]}`, CORPUS[8], `${CORPUS[0]}.txt`];
    await app.go("#/outbox");
    await app.waitHeading("Outbox");
    await app.button("New template").click();
    await app.fill("Template name", template);
    await app.fill("Template subject", CORPUS[3]);
    // All but the token-like payload, which compose refuses as an unknown field (below, in the subject).
    await app.fill("Template message", CORPUS.filter((c) => !c.startsWith("{{")).join("\n"));
    await app.button("Save template").click();
    await app.page.locator("[data-template]", { hasText: "</textarea>" }).waitFor({ timeout: 10_000 });
    await assertInert("Templates");

    await app.createContact({ firstName: name, lastName: last, emails: "eve@hostile.example" });
    const dialog = await app.composeFromRecord();
    assert.equal(await dialog.getByLabel("To", { exact: true }).inputValue(), `${name} ${last} <eve@hostile.example>`);
    await dialog.getByLabel("Template", { exact: true }).selectOption({ label: template });
    const attached = { name: file, mimeType: "text/plain", buffer: Buffer.from("inert") };
    await app.fillCompose({ from: ANN.address, subject: CORPUS[5], files: [attached] });
    await assertInert("compose dialog");
    assert.match((await app.clickSend()) ?? "", /is not a field Inlay knows/);
    await assertInert("compose dialog's refusal of the token");
    await app.fillCompose({ subject });
    // The name's angle brackets would read as a second address: refused, in words, inert.
    assert.match((await app.clickSend()) ?? "", /angle brackets|< or >/);
    await assertInert("compose dialog's refusal");
    await dialog.getByRole("button", { name: "Save draft" }).click();
    await dialog.waitFor({ state: "detached", timeout: 10_000 });
    await app.go("#/drafts");
    await app.page.reload();
    await app.waitHeading("Drafts");
    const draft = app.page.locator("[data-draft]", { hasText: CORPUS[1] });
    await draft.waitFor({ timeout: 10_000 });
    assert.ok((await draft.innerText()).includes(subject), "the subject reads back as typed");
    await assertInert("Drafts");

    // Sent from the draft to the bare address: the Outbox lists it, Gmail gets the names as typed.
    const before = (await gmailSends()).length;
    await draft.getByRole("button", { name: "Open" }).click();
    await app.dialog().waitFor();
    await assertInert("the draft opened");
    await app.dialog().getByLabel("To", { exact: true }).fill("eve@hostile.example");
    assert.equal(await app.clickSend(), null);
    const item = await app.waitOutbox(subject, ["sent"], 60_000);
    await app.go("#/outbox");
    await app.waitHeading("Outbox");
    const row = app.page.locator(`[data-outbox="${item.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.ok((await row.innerText()).includes(subject));
    await assertInert("Outbox");
    const sends = (await gmailSends()).slice(before);
    assert.equal(sends.length, 1);
    const mail = await simpleParser(sends[0].raw);
    assert.equal(mail.subject, subject);
    assert.deepEqual(mail.attachments.map((a) => a.filename), [file]);
  });

  test("an email over 4 MB from Microsoft 365 goes as a draft with an upload session (a 503 on the draft is retried): the chunks are recorded and the attachment arrives byte for byte, once", async () => {
    const before = (await graphSends()).length;
    const seq = await lastSeq();
    await sandbox.control("POST", "/faults", { host: GRAPH, method: "POST", pathPrefix: "/v1.0/me/messages", times: 1, status: 503, body: "{}" });
    const file = binaryAttachment("brochure.bin", 5 * MB);
    await composeToLena({ from: BOB.address, subject: "The brochure", body: "Five megabytes.", files: [file] });
    assert.equal(await app.clickSend(), null);
    await app.waitOutbox("The brochure", ["sent"], 90_000);

    const sends = (await graphSends()).slice(before);
    assert.equal(sends.length, 1, "exactly one delivery");
    assert.equal(sends[0].via, "graph send (draft)");
    await assertComposed(sends[0].raw, { from: BOB.address, to: ["lena@client.example"], subject: "The brochure", body: "Five megabytes.", attachments: [file] });
    const graph = (await requestsSince(seq, GRAPH)).map((r) => `${r.method} ${r.path}${r.faultId === undefined ? "" : " (503)"}`);
    assert.equal(graph.filter((p) => p === "POST /v1.0/me/messages (503)").length, 1, `the refused draft, then a new one: ${graph}`);
    assert.ok(!graph.some((p) => p.endsWith("/sendMail")), `never sendMail: ${graph}`);
    assert.ok(graph.some((p) => p.endsWith("/attachments/createUploadSession")), graph.join("\n"));
    const puts = await requestsSince(seq, "outlook.office.com");
    const ranges = puts.filter((r) => r.method === "PUT").map((r) => r.headers.find(([k]) => k === "content-range")?.[1]);
    assert.ok(ranges.length >= 2, `the attachment in chunks: ${ranges}`);
    assert.ok(ranges.at(-1).endsWith(`-${file.buffer.length - 1}/${file.buffer.length}`), `the last chunk ends the file: ${ranges}`);
    assert.ok(puts.every((r) => !r.headers.some(([k]) => k === "authorization")), "upload URLs are called without the token");
  });

  test("429 with Retry-After from Gmail and from Graph: nothing delivered by the refused call, each sent once after the pause", async () => {
    const before = { gmail: (await gmailSends()).length, graph: (await graphSends()).length };
    await sandbox.control("POST", "/faults", { host: GMAIL, method: "POST", pathPrefix: "/gmail/v1/users/me/messages/send", times: 1, status: 429, headers: { "Retry-After": "3" }, body: JSON.stringify({ error: { code: 429, message: "Too many concurrent requests for user", status: "RESOURCE_EXHAUSTED" } }) });
    await sandbox.control("POST", "/faults", { host: GRAPH, method: "POST", pathPrefix: "/v1.0/me/sendMail", times: 1, status: 429, headers: { "Retry-After": "3" }, body: JSON.stringify({ error: { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." } }) });
    // Both at once: each waits out its own pause.
    await composeToLena({ from: ANN.address, subject: "Throttled Gmail", body: "Once." });
    assert.equal(await app.clickSend(), null);
    await composeToLena({ from: BOB.address, subject: "Throttled Graph", body: "Once." });
    assert.equal(await app.clickSend(), null);
    const [gmailItem, graphItem] = await Promise.all([app.waitOutbox("Throttled Gmail", ["sent"], 90_000), app.waitOutbox("Throttled Graph", ["sent"], 90_000)]);
    for (const [sends, item, kind] of [
      [(await gmailSends()).slice(before.gmail), gmailItem, "Gmail"],
      [(await graphSends()).slice(before.graph), graphItem, "Graph"],
    ]) {
      assert.equal(sends.length, 1, `${kind}: exactly one delivery`);
      assert.ok(sends[0].acceptedAt - item.createdAt >= 3000, `${kind}: sent again only after Retry-After: ${sends[0].acceptedAt - item.createdAt} ms`);
    }
    const faulted = (await sandbox.control("GET", "/requests")).filter((r) => r.faultId !== undefined && (r.host === GMAIL || r.path.endsWith("/sendMail")));
    assert.ok(faulted.length >= 2, "each provider refused one send with 429");
  });

  test("a 503 from Gmail's send and from Graph's sendMail, neither delivered: each may have been sent, so Sent is searched, nothing is found, and it is sent again: one delivery each", async () => {
    const before = { gmail: (await gmailSends()).length, graph: (await graphSends()).length };
    const seq = await lastSeq();
    await sandbox.control("POST", "/faults", { host: GMAIL, method: "POST", pathPrefix: "/gmail/v1/users/me/messages/send", times: 1, status: 503, body: JSON.stringify({ error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } }) });
    await sandbox.control("POST", "/faults", { host: GRAPH, method: "POST", pathPrefix: "/v1.0/me/sendMail", times: 1, status: 503, body: JSON.stringify({ error: { code: "ServiceUnavailable", message: "Service unavailable" } }) });
    await composeToLena({ from: ANN.address, subject: "Unavailable Gmail", body: "Once." });
    assert.equal(await app.clickSend(), null);
    await composeToLena({ from: BOB.address, subject: "Unavailable Graph", body: "Once." });
    assert.equal(await app.clickSend(), null);
    // The lookup waits the outbox's grace first (the sandbox build may shorten it).
    await Promise.all([app.waitOutbox("Unavailable Gmail", ["sent"], 240_000), app.waitOutbox("Unavailable Graph", ["sent"], 240_000)]);
    assert.equal((await gmailSends()).length - before.gmail, 1, "Gmail: exactly one delivery");
    assert.equal((await graphSends()).length - before.graph, 1, "Graph: exactly one delivery");
    const gmailLookups = (await requestsSince(seq, GMAIL, "/gmail/v1/users/me/messages")).filter((r) => r.method === "GET");
    const graphLookups = (await requestsSince(seq, GRAPH)).filter((r) => r.method === "GET" && r.path.endsWith("/messages"));
    assert.ok(gmailLookups.length >= 1, "Gmail's Sent was searched before sending again");
    assert.ok(graphLookups.length >= 1, "Graph's Sent Items were searched before sending again");
  });
});

const CORPUS = [
  `<img src=x onerror="window.__xss=1">`,
  `<script>window.__xss=2</script>`,
  `"><svg onload=window.__xss=3>`,
  `'><iframe src="javascript:window.parent.__xss=4"></iframe>`,
  `<a href="javascript:window.__xss=5">click</a>`,
  `{{constructor.constructor('window.__xss=6')()}}`,
  `<style>*{display:none}</style>`,
  `&lt;b&gt;entity&lt;/b&gt; &amp; <b>bold</b>`,
  `</textarea><details open ontoggle=window.__xss=7>`,
  `\u202Egnp.exe <math><mi xlink:href="javascript:window.__xss=8">`,
];

/** Fails if anything of the corpus became an element or ran (crm-hostile.test.mjs's check, minus the app's own bold button). */
async function assertInert(where) {
  const state = await app.page.evaluate(() => ({
    xss: window.__xss,
    injected: [...document.querySelectorAll("img, svg[onload], iframe, script:not([src]), style, details, math, [onerror], [onload], [ontoggle], a[href^='javascript:']")].map((e) => e.outerHTML.slice(0, 80)),
    scripts: [...document.scripts].map((s) => s.src.split("/").pop()),
  }));
  assert.equal(state.xss, 0, `${where}: a payload ran`);
  assert.deepEqual(state.injected, [], `${where}: an element was injected`);
  assert.deepEqual(state.scripts, ["app.js"], where);
}
