// One CRM command, in one IndexedDB transaction: the core names what it
// must see (crmLookups), the worker reads exactly that, the core decides the
// write (crmApply), and the worker applies it, with nothing but IndexedDB
// requests awaited in between, so no other write interleaves and the
// transaction cannot commit half-way. A refusal aborts the transaction:
// nothing is written.
import { unwrap, type IDBPDatabase, type IDBPTransaction } from "idb";
import type { CrmCore, CrmFound, CrmLookups, CrmSettings, CrmWriteSet } from "../core/types.js";
import { applyWrites } from "./apply.js";
import { changed } from "./list.js";
import { everyEntryOf, parseRef } from "./record.js";
import { RECORD_STORES, withoutIndexKeys, type Row } from "./schema.js";

export type Tx = IDBPTransaction<unknown, string[], "readwrite" | "readonly">;

/** Drops undefined rows and rows met twice (one contact found by two of its addresses). */
function distinct(rows: unknown[]): Row[] {
  const seen = new Map<string, Row>();
  for (const row of rows as (Row | undefined)[]) if (row && !seen.has(row.id)) seen.set(row.id, withoutIndexKeys(row));
  return [...seen.values()];
}

/** The records that refer to `ref`: its deals and contacts (by contactIds, companyId), tasks and notes (by related). */
function referring(tx: Tx, ref: string): Promise<unknown[]>[] {
  const target = parseRef(ref);
  if (!target) return [];
  const by = (store: string, index: string, key: string) => tx.objectStore(store).index(index).getAll(key);
  const reads = [by("tasks", "related", ref), by("notes", "related", ref)];
  if (target.kind === "contact") reads.push(by("deals", "contactIds", target.id));
  if (target.kind === "company") reads.push(by("contacts", "companyId", target.id), by("deals", "companyId", target.id));
  return reads;
}

/** Reads what the core asked for, in `tx`: every read of a round issued at once. */
export async function readFound(tx: Tx, lookups: CrmLookups): Promise<CrmFound> {
  const all = <T>(reads: Promise<T>[]) => Promise.all(reads);
  const records = lookups.ids.map((ref) => {
    const target = parseRef(ref);
    return target ? tx.objectStore(target.store).get(target.id) : Promise.resolve(undefined);
  });
  const [r, related, e, d, t, byId, trash] = await Promise.all([
    all(records),
    all(lookups.relatedOf.flatMap((ref) => referring(tx, ref))),
    all(lookups.emailKeys.map((key) => tx.objectStore("contacts").index("emailKeys").get(key))),
    all(lookups.domains.map((domain) => tx.objectStore("companies").index("domains").get(domain))),
    all(lookups.timelineOf.map((ref) => tx.objectStore("timeline").index("recordAt").getAll(everyEntryOf(ref)))),
    all((lookups.timelineIds ?? []).map((id) => tx.objectStore("timeline").get(id))),
    all(lookups.trash.map((id) => tx.objectStore("trash").get(id))),
  ]);
  // Restoring a trash entry: whoever holds its contacts' addresses or its
  // companies' domains now (a second read, same transaction), so the core
  // refuses a taken address in words rather than the unique index aborting.
  const entries = distinct(trash);
  const restored = entries.flatMap((entry) => (entry.records as Row[] | undefined) ?? []);
  const keysOf = (prefix: string, field: string) => restored.filter((x) => x.id.startsWith(prefix)).flatMap((x) => (x[field] as string[] | undefined) ?? []);
  const [e2, d2] = await Promise.all([
    all(keysOf("ct_", "emailKeys").map((key) => tx.objectStore("contacts").index("emailKeys").get(key))),
    all(keysOf("co_", "domains").map((domain) => tx.objectStore("companies").index("domains").get(domain))),
  ]);
  return {
    records: distinct([...r, ...related.flat()]),
    contactsByEmailKey: distinct([...e, ...e2]),
    companiesByDomain: distinct([...d, ...d2]),
    timeline: distinct([...t.flat(), ...byId]),
    trash: entries,
  };
}

/** Aborts `tx` without an unhandled rejection of its done promise. */
export function abort(tx: Tx): void {
  tx.done.catch(() => undefined);
  try {
    tx.abort();
  } catch {
    // Already finished: nothing was written by this call.
  }
}

/**
 * A core decision inside `tx`: `decide` runs synchronously (the core), its
 * writes are applied and the transaction committed; a throw aborts it.
 */
export async function commit<T extends { put: CrmWriteSet["put"]; delete: CrmWriteSet["delete"] }>(tx: Tx, decide: () => T): Promise<T> {
  let writes: T;
  try {
    writes = decide();
  } catch (e) {
    abort(tx);
    throw e;
  }
  applyWrites(unwrap(tx) as IDBTransaction, writes);
  await tx.done;
  changed();
  return writes;
}

/**
 * Runs one command (crmSave): answers the command's result. `settings` are
 * the CRM settings in force (read before the transaction: they come from
 * storage and policy).
 */
export async function runCommand(
  db: IDBPDatabase<unknown>,
  core: Pick<CrmCore, "crmLookups" | "crmApply">,
  command: unknown,
  settings: CrmSettings,
  nowMs: number,
  random: Uint8Array,
): Promise<unknown> {
  const lookups = core.crmLookups(command);
  const tx = db.transaction([...RECORD_STORES], "readwrite") as unknown as Tx;
  const found = await readFound(tx, lookups);
  const writes = await commit(tx, () => core.crmApply(command, found, settings, nowMs, random));
  return writes.result;
}
