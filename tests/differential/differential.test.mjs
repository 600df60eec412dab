// The differential check (issue 9): Inlay's core, through the shipped binding
// (dist/wasm, built by ./build.sh), against postal-mime and mailparser on the
// SpamAssassin corpus and the golden corpus. Where the two peers agree and the
// core does not, the test fails unless allow-list.json lists that message and
// field with a reviewed reason. All found disagreements are written to
// build/differential.json for review.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../bench/core.mjs';
import { spamAssassin, golden } from './corpora.mjs';
import { loadAllowList, disagreements, describe } from './check.mjs';

const REPORT = fileURLToPath(new URL('../../build/differential.json', import.meta.url));
const allowed = loadAllowList();
const core = await loadCore();
const parseCore = (bytes) => core.parser.parse({ bytes });
const report = {};

for (const [corpus, load] of [['golden', golden], ['spamassassin', spamAssassin]]) {
  test(`the core reads the ${corpus} corpus as postal-mime and mailparser do, or the difference is allow-listed`, async (t) => {
    const messages = load();
    const found = await disagreements(corpus, messages, parseCore);
    const unlisted = found.filter((d) => !allowed.has(d.entry));
    const seen = new Set(found.map((d) => d.entry));
    const unused = [...allowed.keys()].filter((e) => e.startsWith(`${corpus}:`) && !seen.has(e));
    report[corpus] = { messages: messages.length, disagreements: found.length, unlisted, unused };
    t.diagnostic(`${messages.length} messages, ${found.length} allow-listed disagreements`);
    // A fixed bug leaves its entry unused: a note, so the list can be trimmed in review.
    if (unused.length) t.diagnostic(`no longer differ (remove from allow-list.json): ${unused.join(', ')}`);
    assert.equal(unlisted.length, 0,
      `${unlisted.length} disagreement(s) with both peers, not in tests/differential/allow-list.json ` +
      `(fix the core, or list them with a reason):\n${unlisted.slice(0, 25).map(describe).join('\n')}`);
  });
}

test.after(() => {
  fs.mkdirSync(new URL('../../build/', import.meta.url), { recursive: true });
  fs.writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
});

test('the allow-list refuses a class without a reason, and an entry listed twice', () => {
  const tmp = fileURLToPath(new URL('../../build/allow-list-bad.json', import.meta.url));
  fs.mkdirSync(new URL('../../build/', import.meta.url), { recursive: true });
  const write = (classes) => fs.writeFileSync(tmp, JSON.stringify({ classes }));
  write([{ id: 'x', status: 'deliberate', reason: ' ', entries: [] }]);
  assert.throws(() => loadAllowList(tmp), /needs an id, a reason and a status/);
  write([{ id: 'a', status: 'deliberate', reason: 'r', entries: ['golden:m#subject'] },
    { id: 'b', status: 'known bug', reason: 'r', entries: ['golden:m#subject'] }]);
  assert.throws(() => loadAllowList(tmp), /listed twice/);
  write([{ id: 'a', status: 'deliberate', reason: 'r', entries: ['golden:m#colour'] }]);
  assert.throws(() => loadAllowList(tmp), /unknown field colour/);
  fs.rmSync(tmp);
});
