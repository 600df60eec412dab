// The `inlay` database from a stored version-1 database (as the first worker
// wrote it: accounts keyed by the lower-cased address) forward to version 3:
// the inbox records move to their mailbox ids (version 2) and the CRM's
// stores and indexes appear (version 3), in one upgrade. Real core
// (build/wasm), fake-indexeddb.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openDB } from "idb";
import init from "../../../../build/wasm/inlay_connect.js";
import initStart from "../../../../build/wasm/inlay_start.js";
import type { Account } from "../../shared/inboxes.js";
import * as store from "../state/store.js";
import { SEND_STORES } from "../send/schema.js";
import { CRM_STORES, CRM_VERSION, withIndexKeys, withoutIndexKeys } from "./schema.js";

await initStart({ module_or_path: readFileSync("build/wasm/inlay_start_bg.wasm") });
await init({ module_or_path: readFileSync("build/wasm/inlay_connect_bg.wasm") });
(globalThis as { chrome?: unknown }).chrome = { runtime: { getURL: (path: string) => path } };

const account = (address: string, at: number): Account => ({
  address,
  connect: "google",
  displayName: null,
  accountType: null,
  automation: false,
  state: { kind: "connected", address, connect: "google", aliases: [], connectedAtMs: at },
});

test("a version-1 database opens at version 3: inbox records re-keyed and kept, every CRM store and index created", async () => {
  // Version 1 as its code created it: two stores keyed by the lower-cased address.
  const v1 = await openDB("inlay", 1, {
    upgrade(database) {
      database.createObjectStore("accounts", { keyPath: "key" });
      database.createObjectStore("secrets", { keyPath: "key" });
    },
  });
  await v1.put("accounts", { ...account("A.Da@Gmail.com", 1000), key: "a.da@gmail.com" });
  await v1.put("secrets", { password: "kept", key: "a.da@gmail.com" });
  v1.close();

  // The worker's first read opens (and upgrades) the database.
  assert.deepEqual((await store.listAccounts()).map((a) => a.address), ["A.Da@Gmail.com"]);
  assert.equal((await store.getSecrets("ada@gmail.com"))?.password, "kept");
  assert.ok(store.DB_VERSION >= CRM_VERSION);

  const db = await store.crmDatabase();
  assert.equal(db.version, store.DB_VERSION);
  assert.deepEqual([...db.objectStoreNames].sort(), ["accounts", "secrets", ...CRM_STORES, ...SEND_STORES].sort());
  const tx = db.transaction([...CRM_STORES], "readonly");
  const indexes = (name: string) => {
    const s = tx.objectStore(name as never) as unknown as { indexNames: DOMStringList; index(n: string): IDBIndex };
    return Object.fromEntries([...s.indexNames].map((n) => [n, s.index(n)]));
  };
  const contacts = indexes("contacts");
  assert.ok(contacts.emailKeys!.unique && contacts.emailKeys!.multiEntry, "one contact per address, enforced by the database");
  assert.ok(contacts.searchKeys!.multiEntry);
  for (const name of ["sortName", "lastActivityAt", "companyId"]) assert.ok(contacts[name], `contacts.${name}`);
  const companies = indexes("companies");
  assert.ok(companies.domains!.unique && companies.domains!.multiEntry, "one company per domain");
  assert.deepEqual(indexes("deals").stage!.keyPath, ["pipeline", "stage"]);
  assert.ok(indexes("deals").contactIds!.multiEntry);
  assert.ok(indexes("tasks").related!.multiEntry);
  assert.ok(indexes("notes").related!.multiEntry);
  assert.ok(indexes("timeline").recordAt!.multiEntry);
  assert.ok(indexes("trash").at);
  assert.deepEqual(tx.objectStore("imports" as never).keyPath, ["importId", "index"]);
  await tx.done;

  // The CRM stores are usable right away: a contact is refused a second owner of its address.
  const contact = (id: string, keys: string[]) => withIndexKeys("contacts", { id, emailKeys: keys, searchKeys: [], sortName: id, lastActivityAt: null });
  await db.put("contacts", contact("ct_a", ["ada@example.com"]));
  await assert.rejects(db.put("contacts", contact("ct_b", ["ada@example.com"])), { name: "ConstraintError" });
  assert.deepEqual(withoutIndexKeys((await db.get("contacts", "ct_a"))!), { id: "ct_a", emailKeys: ["ada@example.com"], searchKeys: [], sortName: "ct_a", lastActivityAt: null });
});

test("opening again at version 3 keeps what the CRM stores hold", async () => {
  const raw = await openDB("inlay");
  assert.equal(raw.version, store.DB_VERSION);
  assert.equal(await raw.count("contacts"), 1);
  raw.close();
});
