// One handler per CRM page request (the core validated each against its
// schema, core/src/rpc/crm.rs). The crm module is loaded on the first CRM
// request, not at wake-up. Every write goes through the core in one
// transaction (save.ts, importCsv.ts); reads go straight to the indexes and
// leave ranking, ordering and wording to the core.
import type { IDBPDatabase } from "idb";
import type { CrmCore, CrmRow, CrmSettings } from "../core/types.js";
import type { CrmOutcome } from "../core/generated/CrmOutcome.js";
import type { SentEmail } from "../core/generated/SentEmail.js";
import { loadCrm } from "../core/loader.js";
import { randomBytes } from "../io/random.js";
import { crmDatabase } from "../state/store.js";
import { board, localDate, taskWindow, type TaskFilter } from "./board.js";
import { crmCore } from "./core.js";
import { discardImport, previewImport, purgeImports, runImport, stageChunk } from "./importCsv.js";
import { listWindow, type ListKind } from "./list.js";
import { readRecord, timelinePage } from "./record.js";
import { runCommand } from "./save.js";
import { logSent } from "./sentEmail.js";
import { withoutIndexKeys, type Row } from "./schema.js";
import { searchCandidates } from "./search.js";
import { readCrmSettings, saveCrmSettings } from "./settings.js";
import { listTrash, purgeTrash } from "./trash.js";

/** Random bytes per write: the seed of the ids it makes (the core asks for at least 32; more is fine). */
const WRITE_RANDOM = 160;

let typed: Promise<CrmCore> | undefined;

/** The database and the crm module, both opened on first use. */
async function open(): Promise<{ db: IDBPDatabase<unknown>; core: CrmCore }> {
  typed ??= loadCrm()
    .then(crmCore)
    .catch((e: unknown) => {
      typed = undefined; // a failed load is tried again on the next request
      throw e;
    });
  const [db, core] = await Promise.all([crmDatabase(), typed]);
  return { db, core };
}

/** The settings in force (saved, else defaults; the policy's owners and pipelines in place). */
async function settingsOf(db: IDBPDatabase<unknown>, core: CrmCore): Promise<CrmSettings> {
  return (await readCrmSettings(db, core)).settings;
}

/** Hits answered when the page names no limit. */
const SEARCH_HITS = 20;

/** Requests as the core's schema lets them through (typed by the generated PageRequest in worker.ts). */
type R<T> = T;

export const crmHandlers = {
  crmSearch: async (r: R<{ query: string; limit?: number | null }>) => {
    const { db, core } = await open();
    const found = await searchCandidates(db, core.crmQueryKeys(r.query));
    return core.crmRank(r.query, [...found.contacts, ...found.companies, ...found.deals], r.limit ?? SEARCH_HITS);
  },

  crmList: async (r: R<{ kind: ListKind; sort: string; dir: "asc" | "desc"; filter?: unknown; offset: number; limit: number }>) => {
    const { db, core } = await open();
    const now = Date.now();
    const settings = await settingsOf(db, core);
    return listWindow(db, r, (filter, records) => core.crmMatches(filter, records, settings, now), now);
  },

  crmGet: async (r: R<{ record: string }>) => {
    const { db, core } = await open();
    const page = await readRecord(db, r.record);
    if (!page) throw core.crmNotFound(r.record);
    return { ...page, timeline: core.crmTimeline(page.timeline) };
  },

  crmTimeline: async (r: R<{ record: string; before?: number | null; limit?: number | null }>) => {
    const { db, core } = await open();
    const tx = db.transaction("timeline", "readonly");
    const page = await timelinePage(tx as never, r.record, r.before ?? null, Math.min(r.limit ?? 200, 200));
    return { entries: core.crmTimeline(page.entries), more: page.more };
  },

  crmSave: async (r: R<{ command: unknown }>) => {
    const { db, core } = await open();
    const settings = await settingsOf(db, core);
    return runCommand(db, core, r.command, settings, Date.now(), randomBytes(WRITE_RANDOM));
  },

  crmBoard: async (r: R<{ pipeline: string }>) => {
    const { db, core } = await open();
    return board(db, await settingsOf(db, core), r.pipeline, (amounts) => core.crmSumAmounts(amounts));
  },

  crmTasks: async (r: R<{ filter: TaskFilter; offset: number; limit: number }>) => {
    const { db } = await open();
    return taskWindow(db, r, localDate(Date.now()));
  },

  crmImportChunk: async (r: R<{ importId: string | null; index: number; text: string }>) => {
    const { db, core } = await open();
    return stageChunk(db, core, r, Date.now(), randomBytes(WRITE_RANDOM));
  },

  crmImportPreview: async (r: R<{ importId: string }>) => {
    const { db, core } = await open();
    return previewImport(db, core, r.importId);
  },

  crmImportRun: async (r: R<{ importId: string; mapping: unknown }>) => {
    const { db, core } = await open();
    const settings = await settingsOf(db, core);
    return runImport(db, core, r.importId, r.mapping, settings, Date.now(), randomBytes(WRITE_RANDOM));
  },

  crmImportDiscard: async (r: R<{ importId: string }>) => {
    await discardImport(await crmDatabase(), r.importId);
    return null;
  },

  crmExport: async (r: R<{ kind: "contacts" | "companies" | "deals" }>) => {
    const { db, core } = await open();
    const tx = db.transaction(["contacts", "companies", "deals"], "readonly");
    const all = (store: string) => tx.objectStore(store).getAll().then((rows) => (rows as Row[]).map((row) => withoutIndexKeys<CrmRow>(row)));
    const [settings, ...records] = await Promise.all([settingsOf(db, core), all("contacts"), all("companies"), all("deals")]);
    return core.crmCsvExport(r.kind, records.flat(), settings, Date.now());
  },

  crmSettings: async () => {
    const { db, core } = await open();
    return (await readCrmSettings(db, core)).settings;
  },

  crmSaveSettings: async (r: R<{ settings: CrmSettings }>) => {
    const { db, core } = await open();
    return (await saveCrmSettings(db, core, r.settings)).settings;
  },

  crmTrash: async () => listTrash(await crmDatabase()),
};

/**
 * Logs a sent email on its recipients' timelines (crm/sentEmail.ts): the send
 * feature calls it once the outbox says `sent`. Logging the same email again
 * writes nothing; throws `{code, message}` for one without a usable Message-ID.
 */
export async function logSentEmail(email: SentEmail): Promise<CrmOutcome> {
  const { db, core } = await open();
  return logSent(db, core, email, await settingsOf(db, core), Date.now(), randomBytes(WRITE_RANDOM));
}

/**
 * The periodic alarm's purge: trash older than the core's limit, staged
 * imports left behind. The crm module is loaded only when there is something
 * to look at, so a user who never opened the CRM never loads it.
 */
export async function purgeCrm(): Promise<void> {
  const db = await crmDatabase();
  const [trash, imports] = await Promise.all([db.count("trash"), db.count("imports")]);
  if (trash === 0 && imports === 0) return;
  const core = crmCore(await loadCrm());
  const now = Date.now();
  if (trash > 0) await purgeTrash(db, core, now);
  if (imports > 0) await purgeImports(db, core.crmImportCutoff(now));
}
