// Commands through the worker's write path with the real crm module
// (build/wasm) and fake-indexeddb: what the core decides is stored whole,
// with its timeline entries; a refusal stores nothing; delete, undo and
// merge keep every timeline entry; search, lists and a record's page read
// what was written.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openDB } from "idb";
import initCrm, * as binding from "../../../../build/wasm/inlay_crm.js";
import type { CrmBinding, CrmSettings } from "../core/types.js";
import { board, taskWindow } from "./board.js";
import { crmCore } from "./core.js";
import { listWindow } from "./list.js";
import { everyEntryOf, readRecord } from "./record.js";
import { runCommand } from "./save.js";
import { searchCandidates } from "./search.js";
import { upgradeCrm, type Row } from "./schema.js";
import { listTrash, purgeTrash } from "./trash.js";

await initCrm({ module_or_path: readFileSync("build/wasm/inlay_crm_bg.wasm") });
const core = crmCore(binding as CrmBinding);
const settings = JSON.parse(binding.crmDefaultSettings()) as CrmSettings;
const db = await openDB("crm-save", 3, { upgrade: (database, oldVersion) => upgradeCrm(database, oldVersion) });

let clock = 1_700_000_000_000;
const random = () => crypto.getRandomValues(new Uint8Array(160));
type Outcome = { record: Row | null; created: boolean; trashId: string | null; absorbed: string | null; message: string };
const save = (command: unknown) => runCommand(db, core, command, settings, (clock += 1000), random()) as Promise<Outcome>;
const contact = (first: string, last: string, emails: string[]) => ({
  op: "saveContact",
  contact: { emails, firstName: first, lastName: last, jobTitle: "", phone: "", companyId: null, owner: null, lifecycleStage: null, leadStatus: null, custom: {} },
});
const timelineOf = async (ref: string) => ((await db.getAllFromIndex("timeline", "recordAt", everyEntryOf(ref))) as Row[]).map((e) => e.kind);

test("saving a contact stores it with its timeline entry and the company of its domain", async () => {
  const { record, created } = await save(contact("Zoë", "Ørsted", ["zoe@orsted-wind.test"]));
  assert.equal(created, true);
  const id = record!.id;
  const stored = (await db.get("contacts", id)) as Row;
  assert.deepEqual(stored.emailKeys, ["zoe@orsted-wind.test"]);
  assert.ok(stored.companyId, "linked to the company of its domain");
  assert.ok(await db.get("companies", stored.companyId as string));
  assert.ok((await timelineOf(`contact:${id}`)).length >= 1, "a record never exists without its timeline entry");
});

test("a second contact with the same address is refused in words and nothing of it is stored", async () => {
  const before = { contacts: await db.count("contacts"), timeline: await db.count("timeline"), companies: await db.count("companies") };
  await assert.rejects(save(contact("Zed", "Other", ["ZOE@orsted-wind.test"])), (e: { code: string; message: string }) => {
    assert.equal(e.code, "duplicateAddress");
    assert.match(e.message, /Zoë Ørsted/);
    return true;
  });
  assert.deepEqual({ contacts: await db.count("contacts"), timeline: await db.count("timeline"), companies: await db.count("companies") }, before);
});

test("search finds the contact by a folded prefix of its name, address or company", async () => {
  for (const query of ["zoe", "ørs", "ORSTED", "zoe@or"]) {
    const found = await searchCandidates(db, core.crmQueryKeys(query));
    const hits = core.crmRank(query, [...found.contacts, ...found.companies, ...found.deals], 10) as { title: string }[];
    assert.ok(hits.some((h) => h.title === "Zoë Ørsted"), `${query}: ${JSON.stringify(hits)}`);
  }
});

test("delete moves the contact to the trash and undo puts it back with every timeline entry", async () => {
  const { record } = await save(contact("Ada", "Lovelace", ["ada@engines.test"]));
  const ref = `contact:${record!.id}`;
  await save({ op: "saveNote", note: { body: "Met at the conference", related: [ref] } });
  const entries = (await timelineOf(ref)).length;
  const { trashId } = await save({ op: "delete", record: ref });
  assert.ok(trashId);
  assert.equal(await db.get("contacts", record!.id), undefined);
  assert.equal(await readRecord(db, ref), undefined);
  assert.equal((await db.get("trash", trashId!))?.record, ref);
  await save({ op: "undoDelete", trashId });
  assert.ok(await db.get("contacts", record!.id));
  assert.equal(await db.get("trash", trashId!), undefined);
  assert.ok((await timelineOf(ref)).length >= entries, "undo brings back every entry");
  const page = await readRecord(db, ref);
  assert.equal(page?.notes.length, 1);
});

test("merge: the kept contact gets the addresses and every timeline entry of the absorbed one", async () => {
  const a = (await save(contact("Grace", "Hopper", ["grace@navy.test"]))).record!;
  const b = (await save(contact("G.", "Hopper", ["amazing.grace@cobol.test"]))).record!;
  const entriesOfB = ((await db.getAllFromIndex("timeline", "recordAt", everyEntryOf(`contact:${b.id}`))) as Row[]).map((e) => e.id);
  const out = await save({ op: "merge", keep: `contact:${a.id}`, absorb: `contact:${b.id}` });
  assert.equal(await db.get("contacts", b.id), undefined);
  const kept = (await db.get("contacts", a.id)) as Row;
  assert.deepEqual([...(kept.emailKeys as string[])].sort(), ["amazing.grace@cobol.test", "grace@navy.test"]);
  const onKept = ((await db.getAllFromIndex("timeline", "recordAt", everyEntryOf(`contact:${a.id}`))) as Row[]).map((e) => e.id);
  for (const id of entriesOfB) assert.ok(onKept.includes(id), `entry ${id} of the absorbed contact is on the kept one`);
  assert.ok(out.message);
});

test("lists read what was written, in the core's sort order", async () => {
  const window = await listWindow(db, { kind: "contacts", sort: "name", dir: "asc", offset: 0, limit: 50 }, () => [], clock);
  assert.equal(window.total, await db.count("contacts"));
  const names = window.rows.map((r) => r.sortName as string);
  assert.deepEqual(names, [...names].sort());
  const filtered = await listWindow(
    db,
    { kind: "contacts", sort: "name", dir: "asc", filter: { lifecycleStage: "customer" }, offset: 0, limit: 50 },
    (filter, records) => core.crmMatches(filter, records, settings, clock),
    clock,
  );
  assert.equal(filtered.total, 0);
});

test("an undo whose address was taken since is refused in words, and nothing changes", async () => {
  const ann = (await save(contact("Ann", "Lee", ["ann@taken.test"]))).record!;
  const { trashId } = await save({ op: "delete", record: `contact:${ann.id}` });
  const annette = (await save(contact("Annette", "Lee", ["ann@taken.test"]))).record!;
  const before = { contacts: await db.count("contacts"), trash: await db.count("trash"), timeline: await db.count("timeline") };
  await assert.rejects(save({ op: "undoDelete", trashId }), (e: { code: string; message: string }) => {
    assert.equal(e.code, "duplicateAddress");
    assert.match(e.message, /Annette/);
    return true;
  });
  assert.deepEqual({ contacts: await db.count("contacts"), trash: await db.count("trash"), timeline: await db.count("timeline") }, before);
  assert.ok(await db.get("contacts", annette.id));
});

test("trash older than the core's limit is purged on the alarm; newer trash stays to undo", async () => {
  const old = (await save(contact("Old", "Gone", ["old@purge.test"]))).record!;
  const { trashId: oldTrash } = await save({ op: "delete", record: `contact:${old.id}` });
  clock += 31 * 86_400_000; // a month later
  const recent = (await save(contact("New", "Gone", ["new@purge.test"]))).record!;
  const { trashId: newTrash } = await save({ op: "delete", record: `contact:${recent.id}` });
  assert.ok((await purgeTrash(db, core, clock)) >= 1);
  assert.equal(await db.get("trash", oldTrash!), undefined);
  assert.ok(await db.get("trash", newTrash!));
  assert.deepEqual((await listTrash(db)).map((t) => t.id)[0], newTrash, "newest first");
});

test("tasks by status and due date, and the board's columns in the settings' stage order with the core's sums", async () => {
  const who = (await save(contact("Task", "Owner", ["tasks@board.test"]))).record!;
  const related = [`contact:${who.id}`];
  const task = (title: string, due: string | null, done = false) => save({ op: "saveTask", task: { title, due, kind: "todo", done, related } });
  await task("late", "2020-01-01");
  await task("today", "2030-06-15");
  await task("later", "2031-01-01");
  await task("undated", null);
  await task("finished", "2020-01-01", true);
  const titles = async (filter: "open" | "overdue" | "today" | "done") => (await taskWindow(db, { filter, offset: 0, limit: 50 }, "2030-06-15")).rows.map((t) => t.title);
  assert.deepEqual(await titles("overdue"), ["late"]);
  assert.deepEqual(await titles("today"), ["today"]);
  assert.deepEqual(await titles("open"), ["late", "today", "later", "undated"]);
  assert.deepEqual(await titles("done"), ["finished"]);

  const pipeline = settings.pipelines[0]!;
  const deal = (name: string, stage: string, amount: string) =>
    save({ op: "saveDeal", deal: { name, pipeline: pipeline.id, stage, amount, contactIds: [who.id] } });
  await deal("Beta", pipeline.stages[1]!.id, "0.10");
  await deal("Alpha", pipeline.stages[1]!.id, "0.20");
  await deal("Gamma", pipeline.stages[0]!.id, "1250");
  const { stages } = await board(db, settings, pipeline.id, (amounts) => core.crmSumAmounts(amounts));
  assert.deepEqual(stages.map((s) => s.stage), pipeline.stages.map((s) => s.id));
  assert.deepEqual(stages[1]!.deals.map((d) => d.name), ["Alpha", "Beta"]);
  assert.equal(stages[1]!.total, core.crmSumAmounts(["0.10", "0.20"]));
  assert.equal(stages[1]!.count, 2);
  assert.deepEqual((await board(db, settings, "no-such-pipeline", () => "0")).stages, []);
});
