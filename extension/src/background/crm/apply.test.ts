// Applying the core's writes: all of a write or none of it, deletes before
// puts, and the index keys the store adds (fake-indexeddb, the real schema).
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDB, unwrap } from "idb";
import { applyWrites, storesOf, type Writes } from "./apply.js";
import { listWindow } from "./list.js";
import { timelinePage } from "./record.js";
import { commit } from "./save.js";
import { searchCandidates } from "./search.js";
import { RECORD_STORES, upgradeCrm, withoutIndexKeys, type Row } from "./schema.js";

const db = await openDB("crm-apply", 3, { upgrade: (database, oldVersion) => upgradeCrm(database, oldVersion) });

const contact = (id: string, emailKeys: string[], extra: Partial<Row> = {}): Row => ({
  id,
  emails: emailKeys,
  emailKeys,
  firstName: id,
  lastName: "",
  searchKeys: [id, ...emailKeys],
  sortName: id,
  createdAt: 1,
  updatedAt: 1,
  lastActivityAt: null,
  ...extra,
});
const entry = (id: string, records: string[], at: number): Row => ({ id, records, at, kind: "created", summary: id, data: {} });
const writes = (put: Writes["put"], del: Writes["delete"] = {}): Writes => ({ put, delete: del });

async function write(w: Writes): Promise<void> {
  const tx = db.transaction(storesOf(w), "readwrite");
  await commit(tx as never, () => w);
}

test("a write is applied whole: a refused put (an address another contact has) leaves nothing of it, not even its timeline entry", async () => {
  await write(writes({ contacts: [contact("ct_ada", ["ada@example.com"])], timeline: [entry("tl_1", ["contact:ct_ada"], 10)] }));
  const bad = writes({
    contacts: [contact("ct_bob", ["bob@example.com"]), contact("ct_eve", ["ada@example.com"])],
    timeline: [entry("tl_2", ["contact:ct_bob"], 20), entry("tl_3", ["contact:ct_eve"], 20)],
  });
  // Chromium names the request's ConstraintError; fake-indexeddb only aborts.
  await assert.rejects(write(bad), (e: Error) => /ConstraintError|AbortError/.test(e.name));
  assert.deepEqual(await db.getAllKeys("contacts"), ["ct_ada"]);
  assert.deepEqual(await db.getAllKeys("timeline"), ["tl_1"]);
});

test("a refusal by the core aborts the transaction: nothing is written", async () => {
  const tx = db.transaction([...RECORD_STORES], "readwrite");
  await tx.objectStore("contacts").put(contact("ct_tmp", ["tmp@example.com"]));
  await assert.rejects(
    commit(tx as never, () => {
      throw { code: "duplicateAddress", message: "no" };
    }),
    { code: "duplicateAddress" },
  );
  assert.equal(await db.get("contacts", "ct_tmp"), undefined);
});

test("deletes go before puts: a merge moves an address from the absorbed contact to the kept one", async () => {
  await write(writes({ contacts: [contact("ct_a2", ["a2@example.com"]), contact("ct_b2", ["b2@example.com"])] }));
  await write(
    writes(
      { contacts: [contact("ct_a2", ["a2@example.com", "b2@example.com"])], timeline: [entry("tl_m", ["contact:ct_a2"], 30)] },
      { contacts: ["ct_b2"] },
    ),
  );
  assert.equal(await db.get("contacts", "ct_b2"), undefined);
  assert.deepEqual((await db.get("contacts", "ct_a2"))?.emailKeys, ["a2@example.com", "b2@example.com"]);
  assert.equal(await db.getKeyFromIndex("contacts", "emailKeys", "b2@example.com"), "ct_a2");
});

test("applyWrites issues every request without waiting, and counts them", async () => {
  const tx = db.transaction(["contacts", "timeline"], "readwrite");
  const n = applyWrites(unwrap(tx) as IDBTransaction, writes({ contacts: [contact("ct_c", ["c@example.com"])], timeline: [entry("tl_c", ["contact:ct_c"], 5)] }, { timeline: ["tl_none"] }));
  await tx.done;
  assert.equal(n, 3);
  assert.deepEqual(storesOf(writes({ contacts: [] }, { trash: ["tr_x"] })), ["trash"]);
});

test("a record's timeline comes newest first a page at a time; entries sharing the page's last time stay together", async () => {
  const ref = "contact:ct_tl";
  const rows = [entry("tl_a", [ref], 100), entry("tl_b", [ref, "company:co_x"], 200), entry("tl_c", [ref], 200), entry("tl_d", [ref], 300), entry("tl_e", ["contact:other"], 250)];
  await write(writes({ timeline: rows }));
  const read = async (before: number | null, limit: number) => {
    const tx = db.transaction("timeline", "readonly");
    const page = await timelinePage(tx as never, ref, before, limit);
    return { ids: page.entries.map((e) => e.id), more: page.more, clean: page.entries.every((e) => !("ixRecordAt" in e)) };
  };
  assert.deepEqual(await read(null, 2), { ids: ["tl_d", "tl_c", "tl_b"], more: true, clean: true });
  assert.deepEqual(await read(200, 2), { ids: ["tl_a"], more: false, clean: true });
  assert.deepEqual(await read(null, 10), { ids: ["tl_d", "tl_c", "tl_b", "tl_a"], more: false, clean: true });
});

test("search candidates: a prefix of any search key, each record once, from every searched store", async () => {
  await write(
    writes({
      contacts: [contact("ct_s1", ["sam@acme.test"], { searchKeys: ["sam", "sam@acme.test", "acme"] }), contact("ct_s2", ["zed@x.test"], { searchKeys: ["zed"] })],
      companies: [{ id: "co_s", name: "Samsa", domains: ["samsa.test"], searchKeys: ["samsa"], sortName: "samsa", lastActivityAt: null }],
    }),
  );
  const found = await searchCandidates(db, ["sa", "sam"]);
  assert.deepEqual(found.contacts.map((r) => r.id), ["ct_s1"]);
  assert.deepEqual(found.companies.map((r) => r.id), ["co_s"]);
  assert.deepEqual(found.deals, []);
  assert.equal("ixActivity" in found.contacts[0]!, false);
  assert.deepEqual(await searchCandidates(db, [""]), { contacts: [], companies: [], deals: [] });
});

test("list windows: ordered by an index, offset and limit, the total; a filter is the matcher's verdict", async () => {
  const d = await openDB("crm-list", 3, { upgrade: (database, oldVersion) => upgradeCrm(database, oldVersion) });
  const tx = d.transaction(["contacts"], "readwrite");
  const names = ["delta", "alpha", "echo", "charlie", "bravo"];
  applyWrites(unwrap(tx) as IDBTransaction, writes({ contacts: names.map((n, i) => contact(`ct_${n}`, [`${n}@x.test`], { sortName: n, lastActivityAt: i === 2 ? null : i * 10, owner: i % 2 ? "o1" : null })) }));
  await tx.done;
  const ids = (w: { rows: Row[] }) => w.rows.map((r) => r.sortName);
  const none = () => [];
  assert.deepEqual(ids(await listWindow(d, { kind: "contacts", sort: "name", dir: "asc", offset: 1, limit: 2 }, none, 0)), ["bravo", "charlie"]);
  assert.equal((await listWindow(d, { kind: "contacts", sort: "name", dir: "asc", offset: 1, limit: 2 }, none, 0)).total, 5);
  assert.deepEqual(ids(await listWindow(d, { kind: "contacts", sort: "name", dir: "desc", offset: 0, limit: 2 }, none, 0)), ["echo", "delta"]);
  // Never active sorts as the oldest, and is still listed.
  assert.deepEqual(ids(await listWindow(d, { kind: "contacts", sort: "lastActivityAt", dir: "desc", offset: 0, limit: 10 }, none, 0)), ["bravo", "charlie", "alpha", "delta", "echo"]);
  assert.deepEqual((await listWindow(d, { kind: "contacts", sort: "lastActivityAt", dir: "desc", offset: 0, limit: 1 }, none, 0)).rows[0], withoutIndexKeys({ ...contact("ct_bravo", ["bravo@x.test"], { sortName: "bravo", lastActivityAt: 40, owner: null }) }));

  let calls = 0;
  const byOwner = (filter: unknown, records: Row[]) => {
    calls++;
    return records.map((r) => r.owner === (filter as { owner: string }).owner);
  };
  const filtered = await listWindow(d, { kind: "contacts", sort: "name", dir: "asc", filter: { owner: "o1" }, offset: 0, limit: 1 }, byOwner, 0);
  assert.deepEqual([ids(filtered), filtered.total], [["alpha"], 2]);
  const next = await listWindow(d, { kind: "contacts", sort: "name", dir: "asc", filter: { owner: "o1" }, offset: 1, limit: 1 }, byOwner, 1);
  assert.deepEqual([ids(next), next.total, calls], [["charlie"], 2, 1], "the next window reads the kept ids, not the store");
  await assert.rejects(listWindow(d, { kind: "contacts", sort: "phone", dir: "asc", offset: 0, limit: 1 }, none, 0), { code: "unknownSort" });
  d.close();
});

test("an order no index keeps (created, updated) is read once, sorted by the field, ties by id, and paged from the kept ids", async () => {
  const d = await openDB("crm-list-created", 3, { upgrade: (database, oldVersion) => upgradeCrm(database, oldVersion) });
  const tx = d.transaction(["contacts"], "readwrite");
  const at = { ct_b: 30, ct_a: 10, ct_c: 10, ct_d: 20 };
  applyWrites(unwrap(tx) as IDBTransaction, writes({ contacts: Object.entries(at).map(([id, t]) => contact(id, [`${id}@x.test`], { createdAt: t })) }));
  await tx.done;
  const none = () => [];
  const window = async (dir: "asc" | "desc", offset: number) => {
    const w = await listWindow(d, { kind: "contacts", sort: "createdAt", dir, offset, limit: 2 }, none, 0);
    return [w.rows.map((r) => r.id), w.total];
  };
  assert.deepEqual(await window("asc", 0), [["ct_a", "ct_c"], 4]);
  assert.deepEqual(await window("asc", 2), [["ct_d", "ct_b"], 4]);
  assert.deepEqual(await window("desc", 0), [["ct_b", "ct_d"], 4]);
  d.close();
});
