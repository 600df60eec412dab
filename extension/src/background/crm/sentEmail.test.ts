// A sent email through the worker's path with the real crm module
// (build/wasm) and fake-indexeddb: the entry lands on the recipient contact,
// its company and open deal in one transaction; a second log of the same
// Message-ID writes nothing; the never-log list and the setting for new
// recipients are the settings' (saved through the core).
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openDB } from "idb";
import initCrm, * as binding from "../../../../build/wasm/inlay_crm.js";
import type { CrmBinding, CrmSettings } from "../core/types.js";
import type { SentEmail } from "../core/generated/SentEmail.js";
import { crmCore } from "./core.js";
import { everyEntryOf } from "./record.js";
import { runCommand } from "./save.js";
import { upgradeCrm, type Row } from "./schema.js";
import { logSent } from "./sentEmail.js";

await initCrm({ module_or_path: readFileSync("build/wasm/inlay_crm_bg.wasm") });
const core = crmCore(binding as CrmBinding);
const defaults = JSON.parse(binding.crmDefaultSettings()) as CrmSettings;
const db = await openDB("crm-sent-email", 3, { upgrade: (database, oldVersion) => upgradeCrm(database, oldVersion) });

let clock = 1_700_000_000_000;
const random = () => crypto.getRandomValues(new Uint8Array(160));
const save = async (command: unknown) => ((await runCommand(db, core, command, defaults, (clock += 1000), random())) as { record: Row }).record.id;
const kinds = async (ref: string) => ((await db.getAllFromIndex("timeline", "recordAt", everyEntryOf(ref))) as Row[]).map((e) => e.kind);
const sent = (messageId: string, to: string[], more: Partial<SentEmail> = {}): SentEmail => ({
  messageId,
  inbox: "me@inlay.test",
  from: "me@inlay.test",
  to: to.map((address) => ({ address })),
  subject: "Proposal",
  snippet: "Here it is.",
  sentAt: 1_700_000_500_000,
  ...more,
});

const ann = await save({ op: "saveContact", contact: { emails: ["ann@acme.test"], firstName: "Ann", lastName: "Lee" } });
const acme = ((await db.get("contacts", ann)) as Row).companyId as string;
const deal = await save({ op: "saveDeal", deal: { name: "Renewal", contactIds: [ann] } });

test("a sent email goes once on the recipient contact, its company and its open deal", async () => {
  const outcome = await logSent(db, core, sent("<a1@inlay.test>", ["Ann@acme.test", "stranger@else.test"]), defaults, (clock += 1000), random());
  assert.equal(outcome.message, "Logged the email on 1 contact's timeline.");
  for (const ref of [`contact:${ann}`, `company:${acme}`, `deal:${deal}`]) {
    assert.deepEqual((await kinds(ref)).filter((k) => k === "emailSent"), ["emailSent"], ref);
  }
  assert.equal(((await db.get("contacts", ann)) as Row).lastActivityAt, 1_700_000_500_000);
  const before = await db.count("timeline");
  const again = await logSent(db, core, sent("a1@inlay.test", ["ann@acme.test"]), defaults, (clock += 1000), random());
  assert.equal(again.message, "This email is already on the timeline.");
  assert.equal(await db.count("timeline"), before);
  assert.equal(await db.count("contacts"), 1, "no contact for a stranger by default");
});

test("the settings decide: never-log list, and contacts for new recipients", async () => {
  const settings = core.crmValidateSettings({ ...defaults, emailLog: { neverLog: [" ACME.test"], neverLogOwnDomain: true, createContacts: true } });
  assert.deepEqual(settings.emailLog?.neverLog, ["acme.test"]);
  const outcome = await logSent(db, core, sent("<a2@inlay.test>", ["ann@acme.test", "dee@newco.test"]), settings, (clock += 1000), random());
  assert.equal(outcome.message, "Logged the email on 1 contact's timeline (1 new).");
  assert.equal((await kinds(`contact:${ann}`)).filter((k) => k === "emailSent").length, 1, "Ann's domain is on the list");
  const dee = (await db.getFromIndex("contacts", "emailKeys", "dee@newco.test")) as Row;
  assert.deepEqual((await kinds(`contact:${dee.id}`)).sort(), ["created", "emailSent"]);
  assert.throws(
    () => core.crmValidateSettings({ ...defaults, emailLog: { neverLog: ["not a domain"], neverLogOwnDomain: true, createContacts: false } }),
    (e: { code: string; message: string }) => e.code === "invalidSettings" && /never-log list/.test(e.message),
  );
});
