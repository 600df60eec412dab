// CSV import in three steps. The page sends the file in chunks (each message
// at most 512 KiB of text), staged in the `imports` store under one import id;
// the preview reads them back whole for the core (columns, suggested
// mapping, sample rows); the run hands the file, the user's mapping and the
// store's existing addresses and domains to the core and applies its one
// WriteSet in ONE transaction that also removes the staged chunks. A worker
// stopped mid-run leaves the whole import or none of it, and in the second
// case the staged file is still there to run again.
import { unwrap, type IDBPDatabase, type IDBPTransaction } from "idb";
import type { CrmCore, CrmSettings, ExistingCompany } from "../core/types.js";
import { applyWrites } from "./apply.js";
import { changed } from "./list.js";
import { abort } from "./save.js";
import { RECORD_STORES, type ImportChunk, type Row } from "./schema.js";

type Tx = IDBPTransaction<unknown, string[], "readwrite" | "readonly">;

/** Every chunk of an import, from index 0 to the highest. */
const chunksOf = (id: string) => IDBKeyRange.bound([id, 0], [id, Infinity]);

/** The whole staged file, or undefined when there is no such import. */
async function stagedText(tx: Tx, importId: string): Promise<string | undefined> {
  const chunks = (await tx.objectStore("imports").getAll(chunksOf(importId))) as ImportChunk[];
  return chunks.length ? chunks.map((c) => c.text).join("") : undefined;
}

export interface ImportCore {
  /** A new import id (`im_…`) from random bytes. */
  crmNewImportId(random: Uint8Array): string;
  /** The core's refusal of an import id it cannot find (code importNotFound). */
  crmImportNotFound(importId: string): { code: string; message: string };
  crmCsvPreview: CrmCore["crmCsvPreview"];
  crmCsvImport: CrmCore["crmCsvImport"];
}

/**
 * Stages one chunk (crmImportChunk; the core's schema bounds its size and
 * index). The first chunk comes without an id and gets a new one; a later
 * chunk names its import, which must exist. Sending a chunk's index again
 * replaces it (a page that retried).
 */
export async function stageChunk(
  db: IDBPDatabase<unknown>,
  core: Pick<ImportCore, "crmNewImportId" | "crmImportNotFound">,
  chunk: { importId: string | null; index: number; text: string },
  nowMs: number,
  random: Uint8Array,
): Promise<{ importId: string }> {
  const importId = chunk.importId ?? core.crmNewImportId(random);
  const tx = db.transaction("imports", "readwrite");
  if (chunk.importId !== null && (await tx.store.count(chunksOf(importId))) === 0) {
    abort(tx as unknown as Tx);
    throw core.crmImportNotFound(importId);
  }
  const row: ImportChunk = { importId, index: chunk.index, text: chunk.text, at: nowMs };
  await Promise.all([tx.store.put(row), tx.done]);
  return { importId };
}

/** The core's preview of a staged import (crmImportPreview). */
export async function previewImport(db: IDBPDatabase<unknown>, core: Pick<ImportCore, "crmCsvPreview" | "crmImportNotFound">, importId: string): Promise<unknown> {
  const text = await stagedText(db.transaction("imports", "readonly") as unknown as Tx, importId);
  if (text === undefined) throw core.crmImportNotFound(importId);
  return core.crmCsvPreview(text);
}

/** Every key of an index (the existing contacts' address keys), read without the records. */
async function indexKeys(tx: Tx, store: string, index: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = await tx.objectStore(store).index(index).openKeyCursor();
  while (cursor) {
    keys.push(cursor.key as string);
    cursor = await cursor.continue();
  }
  return keys;
}

/** The existing companies as the import links to them (by domain or name). */
async function companies(tx: Tx): Promise<ExistingCompany[]> {
  const rows = (await tx.objectStore("companies").getAll()) as Row[];
  return rows.map((c) => ({ id: c.id, name: c.name as string, domains: c.domains as string[] }));
}

/**
 * Marks a phase of a run on the worker's performance timeline ("crm import:
 * core", …; bench/crm.mjs reads them) and returns its end.
 */
function phase(name: string, start: number): number {
  const end = performance.now();
  performance.measure(`crm import: ${name}`, { start, end });
  return end;
}

export interface ImportResult {
  imported: number;
  skipped: { line: number; reason: string }[];
}

/**
 * Runs a staged import (crmImportRun) in one transaction: reads the file, the
 * contacts' address keys and the companies (to link to), lets the core decide every row, applies
 * the writes and removes the staged file. Nothing but IndexedDB is awaited
 * inside it.
 */
export async function runImport(
  db: IDBPDatabase<unknown>,
  core: Pick<ImportCore, "crmCsvImport" | "crmImportNotFound">,
  importId: string,
  mapping: unknown,
  settings: CrmSettings,
  nowMs: number,
  random: Uint8Array,
): Promise<ImportResult> {
  const started = performance.now();
  const tx = db.transaction([...RECORD_STORES, "imports"], "readwrite") as unknown as Tx;
  const [text, emailKeys, existingCompanies] = await Promise.all([stagedText(tx, importId), indexKeys(tx, "contacts", "emailKeys"), companies(tx)]);
  if (text === undefined) {
    abort(tx);
    throw core.crmImportNotFound(importId);
  }
  const read = phase("read", started);
  let outcome: ReturnType<ImportCore["crmCsvImport"]>;
  try {
    outcome = core.crmCsvImport(text, mapping, { emailKeys, companies: existingCompanies }, settings, nowMs, random);
  } catch (e) {
    abort(tx);
    throw e;
  }
  const decided = phase("core", read);
  const raw = unwrap(tx) as IDBTransaction;
  applyWrites(raw, outcome.writes);
  raw.objectStore("imports").delete(chunksOf(importId));
  const issued = phase("issue writes", decided);
  await tx.done;
  phase("commit", issued);
  changed();
  return { imported: outcome.imported, skipped: outcome.skipped };
}

/** Forgets a staged import (crmImportDiscard); nothing happens for one that is gone. */
export async function discardImport(db: IDBPDatabase<unknown>, importId: string): Promise<void> {
  await db.delete("imports", chunksOf(importId));
}

/** Staged imports older than `cutoff` (ms) are removed: a page closed mid-upload leaves no file behind for long. */
export async function purgeImports(db: IDBPDatabase<unknown>, cutoff: number): Promise<void> {
  const tx = db.transaction("imports", "readwrite");
  let cursor = await tx.store.index("at").openCursor(IDBKeyRange.upperBound(cutoff, true));
  while (cursor) {
    void cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}
