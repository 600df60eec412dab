// Each parser's result reduced to the fields the differential check compares,
// in one common shape. Normalisation removes presentation only (folding
// whitespace, Unicode form, angle brackets, address case), never content:
// two readings that differ after it would show differently in Inlay.
import PostalMime from 'postal-mime';
import { simpleParser } from 'mailparser';

export const FIELDS = ['subject', 'from', 'to', 'cc', 'date', 'messageId', 'attachments', 'text', 'hasHtml'];

const text = (s) => String(s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
const id = (s) => text(s).replace(/^<+|>+$/g, '').trim();
// Display names: quotes around the whole name are syntax, not part of it.
const name = (s) => text(s).replace(/^"(.*)"$/, '$1').trim();
// A display name that only repeats the address adds nothing to show: no name.
function mailbox(m) {
  const address = text(m.address).toLowerCase();
  const shown = name(m.name);
  return `${shown.toLowerCase() === address ? '' : shown} <${address}>`;
}
const seconds = (ms) => (Number.isFinite(ms) ? Math.floor(ms / 1000) : null);

/** Mailboxes of an address list in order, groups flattened, entries without an address left out. */
function mailboxes(list) {
  const out = [];
  const walk = (entry) => {
    if (!entry) return;
    if (Array.isArray(entry.group)) entry.group.forEach(walk);
    else if (text(entry.address)) out.push(mailbox(entry));
  };
  (list ?? []).forEach(walk);
  return out;
}

function common({ subject, from, to, cc, date, messageId, attachmentNames, body, html }) {
  return {
    subject: text(subject),
    // The first From mailbox: what the sidebar shows as the sender.
    from: from[0] ?? '',
    to: to.join(', '),
    cc: cc.join(', '),
    date,
    messageId: id(messageId),
    // Names in order; an unnamed attachment counts as "(unnamed)".
    attachments: attachmentNames.map((n) => text(n) || '(unnamed)').join(' | '),
    text: text(body),
    hasHtml: text(html) !== '',
  };
}

/** Inlay's ParsedMessage (parseMessage through the binding). */
export function fromCore(m) {
  return common({
    subject: m.subject,
    from: mailboxes(m.from),
    to: mailboxes(m.to),
    cc: mailboxes(m.cc),
    date: m.date ?? null,
    messageId: m.messageId,
    attachmentNames: m.attachments.map((a) => a.filename),
    body: m.textBody,
    html: m.htmlBody,
  });
}

export async function postalMime(bytes) {
  const m = await PostalMime.parse(bytes);
  return common({
    subject: m.subject,
    from: mailboxes(m.from ? [m.from] : []),
    to: mailboxes(m.to),
    cc: mailboxes(m.cc),
    date: m.date ? seconds(Date.parse(m.date)) : null,
    messageId: m.messageId,
    attachmentNames: m.attachments.map((a) => a.filename),
    body: m.text,
    html: m.html,
  });
}

// mailparser gives one {value: [...]} per header (an array of them when the
// header repeats).
const objects = (x) => (x == null ? [] : Array.isArray(x) ? x : [x]).flatMap((o) => o.value ?? []);

// mailparser answers an unreadable Date with the current time: a date from
// this run is no date.
const RUN_STARTED = Date.now() - 60_000;

export async function mailparser(buffer) {
  const m = await simpleParser(buffer);
  return common({
    subject: m.subject,
    from: mailboxes(objects(m.from)),
    to: mailboxes(objects(m.to)),
    cc: mailboxes(objects(m.cc)),
    date: m.date instanceof Date && !(m.date.getTime() >= RUN_STARTED) ? seconds(m.date.getTime()) : null,
    messageId: m.messageId,
    attachmentNames: m.attachments.map((a) => a.filename),
    body: m.text,
    html: m.html || '',
  });
}
