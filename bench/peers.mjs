// The JavaScript libraries the core is measured against, behind one small shape:
//   { name, label, pkg, version, parse(msg) | build(), subject(result) }
// Each is called the way its README shows, with default options, which means a full
// decode: bodies, headers and attachment contents.
import { createRequire } from 'node:module';
import PostalMime from 'postal-mime';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { FIXTURE } from './fixture.mjs';

const require = createRequire(import.meta.url);
const versionOf = (pkg) => require(`${pkg}/package.json`).version;

export const postalMime = {
  name: 'postal-mime',
  label: 'postal-mime',
  pkg: 'postal-mime',
  version: versionOf('postal-mime'),
  parse: (msg) => PostalMime.parse(msg.bytes),
  subject: (r) => r.subject,
};

export const mailparser = {
  name: 'mailparser',
  label: 'mailparser',
  pkg: 'mailparser',
  version: versionOf('mailparser'),
  parse: (msg) => simpleParser(msg.buffer), // a Buffer, its documented input
  subject: (r) => r.subject,
};

// Options built once: the loop measures composing, not assembling the options object.
const composerOptions = {
  from: FIXTURE.from,
  to: FIXTURE.to,
  subject: FIXTURE.subject,
  text: FIXTURE.text,
  html: FIXTURE.html,
  attachments: [{
    filename: FIXTURE.attachment.filename,
    contentType: FIXTURE.attachment.contentType,
    content: Buffer.from(FIXTURE.attachment.bytes.buffer),
  }],
  date: FIXTURE.date,
  messageId: `<${FIXTURE.messageId}>`,
};

export const mailComposer = {
  name: 'mailcomposer',
  label: 'MailComposer',
  pkg: 'nodemailer',
  version: versionOf('nodemailer'),
  build: () => new MailComposer(composerOptions).compile().build(),
};

export const peerParsers = [postalMime, mailparser];
export const peerBuilders = [mailComposer];
