// The one message both builders produce: text + HTML bodies, a 10 KiB binary
// attachment, a non-ASCII subject and display name, fixed date and Message-ID.
// Builders get it in their own input shape (see peers.mjs and core.mjs), but the
// content is identical byte for byte.

// Deterministic pseudo-random bytes (xorshift32): incompressible like a real PDF,
// and the same on every run.
function attachmentBytes(size, seed = 0x1badcafe) {
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const paragraphs = Array.from({ length: 6 }, (_, i) =>
  `Point ${i + 1}: the renewal for Müller & Söhne moves to Q3; pricing stays at €12,400 per year, ` +
  'seats go from 40 to 55, and the pilot team in Zürich wants onboarding before the end of the month.');

export const FIXTURE = Object.freeze({
  from: { name: 'Ana Müller', address: 'ana.mueller@example.com' },
  to: [
    { name: 'José Álvarez', address: 'jose.alvarez@example.org' },
    { name: 'Kim Lee', address: 'kim.lee@example.net' },
  ],
  subject: 'Renewal — Müller & Söhne, Q3 pricing ✓',
  text: `Hi José, hi Kim,\n\n${paragraphs.join('\n\n')}\n\nBest,\nAna\n`,
  html: '<!doctype html><html><body><p>Hi José, hi Kim,</p>' +
    paragraphs.map((p) => `<p>${p.replace('&', '&amp;')}</p>`).join('') +
    '<p>Best,<br>Ana</p></body></html>',
  attachment: Object.freeze({ filename: 'proposal-2024.pdf', contentType: 'application/pdf', bytes: attachmentBytes(10 * 1024) }),
  date: new Date('2024-05-01T12:00:00Z'),
  messageId: 'bench-0001@inlay.test', // without angle brackets; each builder adds them
});
