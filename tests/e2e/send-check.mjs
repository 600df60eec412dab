// What the receiving side got, checked the same way for every kind of inbox:
// the MIME parsed by mailparser (not our own parser), From, recipients,
// subject, both bodies, byte-identical attachments and no Bcc in what
// recipients get. Also the contact's timeline, and a minimal IMAP reader for
// the real Dovecot (the test SMTP server files each accepted message, as
// received, in alice's INBOX).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect as tlsConnect } from "node:tls";
import { simpleParser } from "mailparser";

/** An attachment whose bytes cover every value (NUL, CR, LF, high bytes): a re-encoding shows. */
export function binaryAttachment(name = "quote.bin", size = 70_000) {
  const buffer = randomBytes(size);
  buffer.set([0, 13, 10, 13, 10, 46, 13, 10, 255, 128], 0); // "\r\n.\r\n" would end an SMTP DATA
  return { name, mimeType: "application/octet-stream", buffer };
}

/**
 * Parses `raw` and checks what the user composed: From, To, Cc, subject,
 * text and HTML bodies, each attachment's bytes. Returns the parsed mail.
 */
export async function assertComposed(raw, { from, to, cc = [], subject, body, attachments = [] }) {
  const mail = await simpleParser(raw);
  const addresses = (field) => (field?.value ?? []).map((a) => a.address.toLowerCase());
  assert.deepEqual(addresses(mail.from), [from], "From");
  assert.deepEqual(addresses(mail.to), to, "To");
  assert.deepEqual(addresses(mail.cc), cc, "Cc");
  assert.equal(mail.subject, subject);
  assert.match(mail.text ?? "", new RegExp(escape(body)), "the text/plain part");
  assert.match(mail.html || "", new RegExp(escape(body)), "the text/html part");
  const files = mail.attachments.filter((a) => a.contentDisposition === "attachment");
  assert.deepEqual(
    files.map((a) => a.filename),
    attachments.map((a) => a.name),
    "the attachments, by name",
  );
  for (const want of attachments) {
    const got = files.find((a) => a.filename === want.name);
    assert.ok(Buffer.compare(got.content, want.buffer) === 0, `${want.name}: ${got.content.length} bytes received, not the ${want.buffer.length} attached`);
  }
  return mail;
}

/** No Bcc header, and the Bcc address nowhere in the headers recipients get. */
export async function assertNoBcc(raw, bccAddress) {
  const mail = await simpleParser(raw);
  assert.equal(mail.bcc, undefined, "no Bcc header in the transmitted message");
  const head = raw.subarray(0, raw.indexOf("\r\n\r\n")).toString("latin1");
  assert.ok(!head.toLowerCase().includes(bccAddress.toLowerCase()), `${bccAddress} appears in the transmitted headers:\n${head}`);
}

/** The contact page's timeline shows the sent email (H-crm's emailSent), with its subject. */
export async function timelineShows(app, contactId, name, subject) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await app.go("#/contacts");
    await app.go(`#/contact/${contactId}`);
    await app.waitHeading(name);
    const entries = app.page.locator('.timeline li.tl[data-kind="emailSent"]', { hasText: subject });
    if ((await entries.count()) > 0) return entries.allInnerTexts();
    if (Date.now() > deadline) {
      const kinds = await app.page.locator(".timeline li.tl").evaluateAll((lis) => lis.map((li) => `${li.dataset.kind}: ${li.innerText}`));
      assert.fail(`no emailSent entry "${subject}" on the timeline: ${JSON.stringify(kinds)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Every message in `folder` of the test Dovecot (implicit TLS on
 * 127.0.0.1), as raw bytes, by UID order. A few lines of IMAP (RFC 9051):
 * LOGIN, SELECT, UID FETCH 1:* BODY.PEEK[], reading each literal.
 */
export async function imapMessages(servers, folder = "INBOX") {
  const socket = tlsConnect({ host: "127.0.0.1", port: servers.imap.tlsPort, rejectUnauthorized: false, servername: "localhost" });
  // latin1: one character per byte, so literals are cut by their byte counts.
  let text = "";
  let wake = () => {};
  socket.on("data", (chunk) => {
    text += chunk.toString("latin1");
    wake();
  });
  const failed = new Promise((_, reject) => socket.once("error", reject));
  const more = () => Promise.race([new Promise((r) => (wake = r)), failed]);
  /** Sends a command; returns what came before its tagged OK (untagged lines and literals). */
  async function command(tag, line) {
    socket.write(`${tag} ${line}\r\n`);
    const done = new RegExp(`(?:^|\r\n)(${tag} (OK|NO|BAD)[^\r]*)\r\n`);
    for (;;) {
      const m = done.exec(text);
      if (m) {
        const before = text.slice(0, m.index);
        text = text.slice(m.index + m[0].length);
        if (m[2] !== "OK") throw new Error(`IMAP ${m[1]}`);
        return before;
      }
      await more();
    }
  }
  try {
    while (!text.includes("\r\n")) await more();
    text = text.slice(text.indexOf("\r\n") + 2); // the greeting
    await command("a1", `LOGIN ${servers.username} "${servers.password}"`);
    await command("a2", `SELECT "${folder}"`);
    let rest = await command("a3", "UID FETCH 1:* (BODY.PEEK[])");
    const messages = [];
    for (let m; (m = /BODY\[\] \{(\d+)\}\r\n/.exec(rest)); ) {
      const start = m.index + m[0].length;
      messages.push(Buffer.from(rest.slice(start, start + Number(m[1])), "latin1"));
      rest = rest.slice(start + Number(m[1]));
    }
    socket.write("a4 LOGOUT\r\n");
    return messages;
  } finally {
    socket.destroy();
  }
}
