// Sanity checks that contenders did equivalent work: parsers decode the same
// Subject (encoded words, charsets and folding all feed into it), builders emit
// the same content.
import PostalMime from 'postal-mime';

// Differences that are presentation, not decoding: folding whitespace, Unicode
// normalization form. (timing.mjs already maps a missing Subject to ''.)
function norm(s) {
  return String(s).normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * Share of messages (of all, a failed parse counts as a disagreement) on which two
 * parsers' subjects match; keeps a few differing examples for the JSON report.
 */
export function subjectAgreement(names, a, b, examples = 5) {
  let same = 0;
  const differing = [];
  for (let i = 0; i < names.length; i++) {
    // null = that parser failed on the message
    if (a[i] !== null && b[i] !== null && norm(a[i]) === norm(b[i])) same++;
    else if (differing.length < examples) differing.push({ name: names[i], a: a[i], b: b[i] });
  }
  return { percent: Math.round((10000 * same) / names.length) / 100, same, of: names.length, differing };
}

// Line endings and trailing newlines are the builder's choice, not content.
const sameText = (a, b) => String(a ?? '').replace(/\r\n/g, '\n').trimEnd() === String(b ?? '').replace(/\r\n/g, '\n').trimEnd();

/**
 * Reads a built message back with an independent parser (postal-mime, never the core
 * itself) and checks it carries the fixture's content.
 */
export async function builtMatchesFixture(bytes, fixture) {
  const m = await PostalMime.parse(bytes);
  const att = m.attachments.find((a) => a.filename === fixture.attachment.filename);
  const checks = {
    subject: m.subject === fixture.subject,
    from: m.from?.address === fixture.from.address && m.from?.name === fixture.from.name,
    to: fixture.to.every((t, i) => m.to?.[i]?.address === t.address && m.to?.[i]?.name === t.name),
    text: sameText(m.text, fixture.text),
    html: sameText(m.html, fixture.html),
    attachment: !!att && Buffer.from(att.content).equals(Buffer.from(fixture.attachment.bytes)),
    messageId: m.messageId === `<${fixture.messageId}>`,
    date: Date.parse(m.date) === fixture.date.getTime(),
  };
  return { ok: Object.values(checks).every(Boolean), checks };
}
