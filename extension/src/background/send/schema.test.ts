// The `inlay` database from version 3 (inboxes and the CRM, as that worker
// wrote it) forward to version 4: everything it held is kept and sending's
// stores appear, with the indexes the outbox and drafts read. Real core
// (build/wasm), fake-indexeddb.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openDB, type IDBPDatabase } from "idb";
import init from "../../../../build/wasm/inlay_connect.js";
import initStart from "../../../../build/wasm/inlay_start.js";
import type { Account } from "../../shared/inboxes.js";
import { upgradeCrm, withIndexKeys } from "../crm/schema.js";
import * as accounts from "../state/store.js";
import type { OutboxState, OutboxView } from "./binding.js";
import { SEND_STORES, SEND_VERSION, upgradeSend, type OutboxRow } from "./schema.js";
import * as store from "./store.js";

await initStart({ module_or_path: readFileSync("build/wasm/inlay_start_bg.wasm") });
await init({ module_or_path: readFileSync("build/wasm/inlay_connect_bg.wasm") });
(globalThis as { chrome?: unknown }).chrome = { runtime: { getURL: (path: string) => path } };

/** A view as the core derives it, for a state (core/src/outbox/view.rs). */
function viewOf(state: OutboxState, wakeAtMs: number | null): OutboxView {
  return { id: "ob", messageId: "<x@b.example>", subject: "", recipients: [], state, words: state.kind, wakeAtMs, sending: false, settled: wakeAtMs === null, scheduledAtMs: null, lateByMs: null, createdAtMs: 0 };
}

const account: Account = {
  address: "me@acme.example",
  connect: "google",
  displayName: "Me",
  accountType: null,
  automation: false,
  state: { kind: "connected", address: "me@acme.example", connect: "google", aliases: ["sales@acme.example"], connectedAtMs: 1000 },
};

test("a version-3 database opens at version 4: inboxes, secrets and CRM records kept, sending's stores created", async () => {
  // Version 3 as its worker created it: the inbox stores and the CRM's.
  const v3 = await openDB("inlay", 3, {
    upgrade(database, old) {
      database.createObjectStore("accounts", { keyPath: "key" });
      database.createObjectStore("secrets", { keyPath: "key" });
      upgradeCrm(database as IDBPDatabase<unknown>, old);
    },
  });
  await v3.put("accounts", { ...account, key: "me@acme.example" });
  await v3.put("secrets", { tokens: { refreshToken: "kept" }, key: "me@acme.example" });
  await v3.put("contacts", withIndexKeys("contacts", { id: "ct_a", emailKeys: ["ann@client.example"], searchKeys: ["ann"], sortName: "ann", lastActivityAt: null }));
  v3.close();

  assert.deepEqual((await accounts.listAccounts()).map((a) => a.address), ["me@acme.example"]);
  assert.deepEqual((await accounts.getSecrets("me@acme.example"))?.tokens, { refreshToken: "kept" });
  assert.equal(accounts.DB_VERSION, SEND_VERSION);
  const db = await accounts.sendDatabase();
  assert.equal(db.version, 4);
  assert.equal(((await db.get("contacts", "ct_a")) as { id: string }).id, "ct_a");
  for (const name of SEND_STORES) assert.ok(db.objectStoreNames.contains(name), name);
  const tx = db.transaction(["outbox", "drafts", "attachments"], "readonly");
  assert.deepEqual(tx.objectStore("outbox").index("wake").keyPath, "ixWake");
  assert.deepEqual(tx.objectStore("attachments").keyPath, ["attachmentId", "index"]);
  assert.ok(tx.objectStore("drafts").index("updatedAt"));
  await tx.done;

  // The outbox is usable at once, and an email that needs nobody has no wake key.
  const row = (state: OutboxState, id: string, wake: number | null): OutboxRow => ({
    id,
    json: "{}",
    view: viewOf(state, wake),
    draft: { id: "dr_1", from: "me@acme.example", to: [], cc: [], bcc: [], subject: "", html: "", attachments: [], signature: true },
    inbox: "me@acme.example",
    summary: { from: "me@acme.example", to: [], subject: "", messageId: "<x@acme.example>" },
    createdAt: 1,
    updatedAt: 1,
  });
  await store.addEntry(db, row({ kind: "scheduled", atMs: 5_000 }, "ob_later", 5_000), { id: "ob_later", mime: new Uint8Array(1), transmitted: null }, 0);
  await store.addEntry(db, row({ kind: "sent", atMs: 1, providerId: null, threadId: null, byUser: false }, "ob_sent", null), { id: "ob_sent", mime: new Uint8Array(1), transmitted: null }, 0);
  await store.addEntry(db, row({ kind: "retryWait", untilMs: 2_000, attempt: 1, reason: "busy" }, "ob_retry", 2_000), { id: "ob_retry", mime: new Uint8Array(1), transmitted: null }, 0);
  assert.equal(await store.nextWake(db), 2_000);
  assert.deepEqual(await store.dueIds(db, 4_999), ["ob_retry"]);
  assert.deepEqual((await store.dueIds(db, 5_000)).sort(), ["ob_later", "ob_retry"]);
});

test("opening again at version 4 keeps the outbox; a later version's upgrade creates nothing twice", async () => {
  const raw = await openDB("inlay");
  assert.equal(raw.version, 4);
  assert.equal(await raw.count("outbox"), 3);
  raw.close();
  // A copy at version 4 upgraded to 5 (the worker's own connection keeps "inlay" at 4).
  const copy = await openDB("inlay-copy", 4, { upgrade: (db, old) => upgradeSend(db as IDBPDatabase<unknown>, old) });
  await copy.put("outbox", { id: "ob_x", createdAt: 1 });
  copy.close();
  const later = await openDB("inlay-copy", 5, { upgrade: (db, old) => upgradeSend(db as IDBPDatabase<unknown>, old) });
  assert.equal(await later.count("outbox"), 1);
  later.close();
});
