// CSV import's shell: chunks staged under one id, read back whole; a run is
// one transaction with the removal of the staged file, so a run that fails
// leaves no record and the file staged to run again. The core is a stand-in
// here (its rules are tested in core/tests); what is tested is the store.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDB } from "idb";
import type { CrmWriteSet } from "../core/types.js";
import { discardImport, previewImport, purgeImports, runImport, stageChunk, type ImportCore } from "./importCsv.js";
import { upgradeCrm, type Row } from "./schema.js";

const db = await openDB("crm-import", 3, { upgrade: (database, oldVersion) => upgradeCrm(database, oldVersion) });

const settings = { owners: [], pipelines: [], currency: "USD" };
const contact = (id: string, key: string): Row => ({ id, emailKeys: [key], searchKeys: [key], sortName: key, lastActivityAt: null });
const notFound = (importId: string) => ({ code: "importNotFound", message: `No import ${importId}.` });

/** A stand-in core: one contact per line of the file, with the existing keys it was handed recorded. */
type Seen = { emails?: string[]; companies?: unknown[]; text?: string };
function standIn(seen: Seen): ImportCore {
  let n = 0;
  return {
    crmNewImportId: () => `im_${String(++n).padStart(16, "a")}`,
    crmImportNotFound: notFound,
    crmCsvPreview: (text) => ({ rowCount: text.trim().split("\n").length - 1 }),
    crmCsvImport: (text, _mapping, existing) => {
      Object.assign(seen, { emails: existing.emailKeys, companies: existing.companies, text });
      const lines = text.trim().split("\n").slice(1);
      const contacts = lines.map((line, i) => contact(`ct_${i}`, line));
      const writes: CrmWriteSet = { put: { contacts, timeline: contacts.map((c) => ({ id: `tl_${c.id}`, records: [`contact:${c.id}`], at: 1 })) }, delete: {}, result: null };
      return { writes, imported: lines.length, skipped: [] };
    },
  };
}

test("chunks are staged under one id and read back in order; a later chunk must name an import that exists", async () => {
  const core = standIn({});
  const { importId } = await stageChunk(db, core, { importId: null, index: 0, text: "Email\na@x.test\n" }, 1, new Uint8Array(32));
  await stageChunk(db, core, { importId, index: 2, text: "c@x.test\n" }, 1, new Uint8Array(32));
  await stageChunk(db, core, { importId, index: 1, text: "b@x.test\n" }, 1, new Uint8Array(32));
  assert.deepEqual(await previewImport(db, core, importId), { rowCount: 3 });
  await assert.rejects(stageChunk(db, core, { importId: "im_nothere", index: 1, text: "x" }, 1, new Uint8Array(32)), { code: "importNotFound" });
  await discardImport(db, importId);
  await assert.rejects(previewImport(db, core, importId), { code: "importNotFound" });
});

test("a run writes every row and removes the staged file in one transaction, handing the core the existing addresses and companies", async () => {
  await db.put("contacts", contact("ct_old", "old@x.test"));
  await db.put("companies", { id: "co_x", name: "X", domains: ["x.test"], searchKeys: [], sortName: "x", lastActivityAt: null });
  const seen: Seen = {};
  const core = standIn(seen);
  const { importId } = await stageChunk(db, core, { importId: null, index: 0, text: "Email\nn1@x.test\nn2@x.test\n" }, 1, new Uint8Array(32));
  const result = await runImport(db, core, importId, {}, settings, 2, new Uint8Array(32));
  assert.deepEqual(result, { imported: 2, skipped: [] });
  assert.deepEqual(seen.emails, ["old@x.test"]);
  assert.deepEqual(seen.companies, [{ id: "co_x", name: "X", domains: ["x.test"] }]);
  assert.deepEqual((await db.getAllKeys("contacts")).sort(), ["ct_0", "ct_1", "ct_old"]);
  assert.equal(await db.count("timeline"), 2);
  assert.equal(await db.count("imports"), 0, "a run imports once");
  await assert.rejects(runImport(db, core, importId, {}, settings, 3, new Uint8Array(32)), { code: "importNotFound" });
});

test("a run that fails part-way stores none of its rows and keeps the file staged to run again", async () => {
  const core = standIn({});
  // The second row carries an address a stored contact has: the database refuses it, the whole run aborts.
  const { importId } = await stageChunk(db, core, { importId: null, index: 0, text: "Email\nfresh@x.test\nold@x.test\n" }, 1, new Uint8Array(32));
  const clash: ImportCore = { ...core, crmCsvImport: (...args) => {
    const out = core.crmCsvImport(...args);
    out.writes.put.contacts = out.writes.put.contacts!.map((c, i) => ({ ...c, id: `ct_new${i}` }));
    return out;
  } };
  const before = (await db.getAllKeys("contacts")).sort();
  await assert.rejects(runImport(db, clash, importId, {}, settings, 4, new Uint8Array(32)));
  assert.deepEqual((await db.getAllKeys("contacts")).sort(), before, "no row of the failed run");
  assert.equal(await db.count("timeline"), 2, "no timeline entry of the failed run");
  assert.deepEqual(await previewImport(db, core, importId), { rowCount: 2 }, "the file is still staged");
  // A refusal by the core leaves it staged too.
  const refusing: ImportCore = { ...core, crmCsvImport: () => { throw { code: "csvTooManyColumns", message: "too many" }; } };
  await assert.rejects(runImport(db, refusing, importId, {}, settings, 5, new Uint8Array(32)), { code: "csvTooManyColumns" });
  assert.equal(await db.count("imports"), 1);
});

test("staged files older than the cutoff are purged", async () => {
  const core = standIn({});
  await db.clear("imports");
  const { importId: old } = await stageChunk(db, core, { importId: null, index: 0, text: "old" }, 1_000, new Uint8Array(32));
  const { importId: fresh } = await stageChunk(db, core, { importId: null, index: 0, text: "fresh" }, 9_000, new Uint8Array(32));
  await purgeImports(db, 5_000);
  assert.deepEqual((await db.getAllKeys("imports")).map((k) => (k as unknown as string[])[0]), [fresh]);
  assert.notEqual(old, fresh);
});
