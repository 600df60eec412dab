// The messages the differential check reads: the SpamAssassin corpus the bench
// uses, and the golden corpus (Inlay's own messages in core/tests/golden/inlay,
// and mail-parser's rfc/malformed/thirdparty suites that the golden snapshots
// cover, from the crate source cargo fetched).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus } from '../../bench/corpus.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIL_PARSER_SUITES = ['rfc', 'malformed', 'thirdparty'];

// Wire form: every bare LF becomes CRLF (as core/tests/message_corpus.rs feeds them).
function crlf(buf) {
  const out = [];
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a && buf[i - 1] !== 0x0d) out.push(0x0d);
    out.push(buf[i]);
  }
  return Uint8Array.from(out);
}

function message(name, u8) {
  return { name, bytes: u8, buffer: Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength) };
}

export function spamAssassin() {
  return loadCorpus().messages;
}

/** mail-parser's resources/eml, for the version Cargo.lock pins. */
function mailParserEml() {
  const lock = fs.readFileSync(path.join(ROOT, 'Cargo.lock'), 'utf8');
  const version = lock.match(/name = "mail-parser"\nversion = "([^"]+)"/)?.[1];
  const registry = path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), '.cargo'), 'registry/src');
  const dir = fs.existsSync(registry) && fs.readdirSync(registry)
    .map((index) => path.join(registry, index, `mail-parser-${version}`, 'resources/eml'))
    .find((d) => fs.existsSync(d));
  if (!dir) throw new Error(`mail-parser ${version}'s test messages are not under ${registry}: run \`cargo fetch\` first`);
  return dir;
}

export function golden() {
  const messages = [];
  const add = (label, dir) => {
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()) {
      messages.push(message(`${label}/${f}`, crlf(fs.readFileSync(path.join(dir, f)))));
    }
  };
  add('inlay', path.join(ROOT, 'core/tests/golden/inlay'));
  const eml = mailParserEml();
  for (const suite of MAIL_PARSER_SUITES) add(suite, path.join(eml, suite));
  return messages;
}
