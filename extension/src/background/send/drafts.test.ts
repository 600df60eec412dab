// Drafts, staged attachments and the outbox alarm over the stores as
// send/schema.ts creates them (fake-indexeddb, a stand-in chrome.alarms).
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDB, type IDBPDatabase } from "idb";
import { GUARD_MS, OUTBOX_ALARM, guard, overdue, rearm, type Alarms } from "./alarms.js";
import * as drafts from "./drafts.js";
import type { OutboxState, OutboxView } from "./binding.js";
import { upgradeSend, type OutboxRow } from "./schema.js";
import * as store from "./store.js";

/** A view as the core derives it, for a state (core/src/outbox/view.rs). */
function viewOf(state: OutboxState, wakeAtMs: number | null): OutboxView {
  return { id: "ob", messageId: "<x@b.example>", subject: "", recipients: [], state, words: state.kind, wakeAtMs, sending: false, settled: wakeAtMs === null, scheduledAtMs: null, lateByMs: null, createdAtMs: 0 };
}

let n = 0;
const freshDb = () => openDB(`send-drafts-${n++}`, 4, { upgrade: (db, old) => upgradeSend(db as IDBPDatabase<unknown>, old) });
const random = (seed: number) => new Uint8Array(16).fill(seed);

test("an attachment staged in chunks comes back byte for byte, in order; unnamed ones are purged after their time", async () => {
  const db = await freshDb();
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
  const b64 = (part: Uint8Array) => Buffer.from(part).toString("base64");
  const { attachmentId } = await drafts.stageChunk(db, { index: 0, data: b64(bytes.subarray(0, 30_000)) }, 1_000, random(1));
  assert.match(attachmentId, /^at_[A-Za-z0-9_-]{16}$/);
  // Chunks may arrive out of order; the key orders them.
  await drafts.stageChunk(db, { attachmentId, index: 2, data: b64(bytes.subarray(60_000)) }, 1_000, random(2));
  await drafts.stageChunk(db, { attachmentId, index: 1, data: b64(bytes.subarray(30_000, 60_000)) }, 1_000, random(3));
  assert.deepEqual(await drafts.attachmentBytes(db, attachmentId), bytes);
  assert.equal(await drafts.attachmentBytes(db, "at_none"), undefined);

  const { attachmentId: kept } = await drafts.stageChunk(db, { index: 0, data: "AAE=" }, 1_000, random(4));
  await drafts.saveDraft(
    db,
    { from: "me@acme.example", to: [], cc: [], bcc: [], subject: "", html: "", attachments: [{ id: kept, name: "a.bin", contentType: "application/octet-stream", size: 2 }], signature: true },
    2_000,
    random(5),
  );
  await drafts.purgeAttachments(db, 1_500);
  assert.equal(await drafts.attachmentBytes(db, attachmentId), undefined, "nobody named it");
  assert.deepEqual(await drafts.attachmentBytes(db, kept), new Uint8Array([0, 1]), "a draft names it");
});

test("drafts: saved with a new id, edited in place, listed last edited first, deleted with their attachments", async () => {
  const db = await freshDb();
  const base = { from: "me@acme.example", to: [{ address: "ann@client.example", name: "Ann" }], cc: [], bcc: [], subject: "One", html: "<p>x</p>", attachments: [], signature: true };
  const one = await drafts.saveDraft(db, base, 1_000, random(1));
  const two = await drafts.saveDraft(db, { ...base, subject: "Two" }, 2_000, random(2));
  assert.notEqual(one.id, two.id);
  const edited = await drafts.saveDraft(db, { ...one, subject: "One, edited" }, 3_000, random(3));
  assert.equal(edited.id, one.id);
  assert.equal(edited.createdAt, 1_000);
  assert.deepEqual((await drafts.listDrafts(db)).map((d) => d.subject), ["One, edited", "Two"]);

  const { attachmentId } = await drafts.stageChunk(db, { index: 0, data: "AAAA" }, 1, random(4));
  await drafts.saveDraft(db, { ...two, attachments: [{ id: attachmentId, name: "x", contentType: "text/plain", size: 3 }] }, 4_000, random(5));
  await drafts.deleteDraft(db, two.id);
  assert.equal(await drafts.getDraft(db, two.id), undefined);
  assert.equal(await drafts.attachmentBytes(db, attachmentId), undefined);
});

function fakeAlarms(): Alarms & { at: () => number | undefined } {
  let when: number | undefined;
  return {
    at: () => when,
    create: (name, info) => void (assert.equal(name, OUTBOX_ALARM), (when = info.when)),
    clear: async () => ((when = undefined), true),
    get: async () => (when === undefined ? undefined : { scheduledTime: when }),
  };
}

test("the outbox alarm: the earliest wake in the store, cleared when nothing waits; a guard while a drive runs; overdue at start", async () => {
  const db = await freshDb();
  const alarms = fakeAlarms();
  assert.equal(await rearm(db, alarms), null);
  assert.equal(alarms.at(), undefined);

  const row = (id: string, at: number): OutboxRow => ({
    id,
    json: "{}",
    view: viewOf({ kind: "scheduled", atMs: at }, at),
    draft: { id: "dr_x", from: "a@b.example", to: [], cc: [], bcc: [], subject: "", html: "", attachments: [], signature: true },
    inbox: "a@b.example",
    summary: { from: "a@b.example", to: [], subject: "", messageId: "<x@b.example>" },
    createdAt: 0,
    updatedAt: 0,
  });
  await store.addEntry(db, row("ob_2", 90_000), { id: "ob_2", mime: new Uint8Array(), transmitted: null }, 0);
  await store.addEntry(db, row("ob_1", 60_000), { id: "ob_1", mime: new Uint8Array(), transmitted: null }, 0);
  assert.equal(await rearm(db, alarms), 60_000);
  assert.equal(alarms.at(), 60_000);

  // A drive starting at 10 s pulls the alarm to 10 s + GUARD_MS; a later guard does not push it back.
  await guard(10_000, alarms);
  assert.equal(alarms.at(), 10_000 + GUARD_MS);
  await guard(20_000, alarms);
  assert.equal(alarms.at(), 10_000 + GUARD_MS);

  assert.equal(await overdue(10_000, alarms), false);
  assert.equal(await overdue(10_000 + GUARD_MS, alarms), true, "a worker that starts after the alarm's time catches up");
});
