// The comparison: each message through the core and both peers; a field where
// the peers agree with each other and the core does not is a disagreement.
import fs from 'node:fs';
import { FIELDS, fromCore, postalMime, mailparser } from './fields.mjs';

export const ALLOW_LIST = new URL('./allow-list.json', import.meta.url);
const STATUSES = ['deliberate', 'known bug', 'not yet judged'];

/**
 * The reviewed allow-list as a map "<corpus>:<message>#<field>" → class.
 * Throws on a malformed list (a class without reason or status, an entry twice).
 */
export function loadAllowList(file = ALLOW_LIST) {
  const { classes } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byEntry = new Map();
  for (const c of classes) {
    if (!c.id || !c.reason?.trim() || !STATUSES.includes(c.status)) {
      throw new Error(`allow-list class ${JSON.stringify(c.id)} needs an id, a reason and a status (${STATUSES.join(', ')})`);
    }
    for (const entry of c.entries) {
      const field = entry.slice(entry.lastIndexOf('#') + 1);
      if (!FIELDS.includes(field) && field !== 'parses') throw new Error(`allow-list entry ${entry}: unknown field ${field}`);
      if (byEntry.has(entry)) throw new Error(`allow-list entry ${entry} is listed twice (${byEntry.get(entry).id}, ${c.id})`);
      byEntry.set(entry, c);
    }
  }
  return byEntry;
}

const show = (v) => JSON.stringify(v);

/**
 * Disagreements on `messages` ({name, bytes, buffer}) of corpus `corpus`:
 * [{entry, field, core, peers}]. `parseCore(bytes)` is the binding's parseMessage.
 * A message the core refuses while both peers read it disagrees on "parses".
 */
export async function disagreements(corpus, messages, parseCore) {
  const found = [];
  for (const m of messages) {
    const [p, q] = [await postalMime(m.bytes), await mailparser(m.buffer)];
    let core;
    try {
      core = fromCore(parseCore(m.bytes));
    } catch (e) {
      found.push({ entry: `${corpus}:${m.name}#parses`, field: 'parses', core: `refused: ${e?.code ?? e}`, peers: 'read' });
      continue;
    }
    for (const field of FIELDS) {
      const peers = show(p[field]);
      if (peers !== show(q[field])) continue; // the peers differ: no verdict
      if (show(core[field]) !== peers) found.push({ entry: `${corpus}:${m.name}#${field}`, field, core: show(core[field]), peers });
    }
  }
  return found;
}

/** One disagreement for a person: the values around the first difference. */
export function describe({ entry, core, peers }) {
  let i = 0;
  while (i < core.length && core[i] === peers[i]) i++;
  const around = (s) => (s.length > 160 ? `…${s.slice(Math.max(0, i - 40), i + 120)}…` : s);
  return `${entry}\n    core:  ${around(core)}\n    peers: ${around(peers)}`;
}
