// One CRM command, in one IndexedDB transaction: the core names what it
// must see (crmLookups), the worker reads exactly that, the core decides the
// write (crmApply), and the worker applies it, with nothing but IndexedDB
// requests awaited in between, so no other write interleaves and the
// transaction cannot commit half-way. A refusal aborts the transaction:
// nothing is written.
import { unwrap, type IDBPDatabase, type IDBPTransaction } from "idb";
import type { CrmCore, CrmFound, CrmLookups, CrmWriteSet } from "../core/types.js";
import { applyWrites } from "./apply.js";
import { changed } from "./list.js";
import { parseRef } from "./record.js";
import { RECORD_STORES, withoutIndexKeys, type Row } from "./schema.js";

type Tx = IDBPTransaction<unknown, string[], "readwrite" | "readonly">;

/** Drops undefined rows and rows met twice (one contact found by two of its addresses). */
function distinct(rows: unknown[]): Row[] {
  const seen = new Map<string, Row>();
  for (const row of rows as (Row | undefined)[]) if (row && !seen.has(row.id)) seen.set(row.id, withoutIndexKeys(row));
  return [...seen.values()];
}

/** Reads what the core asked for, in `tx`. */
export async function readFound(tx: Tx, lookups: CrmLookups): Promise<CrmFound> {
  const records = lookups.ids.map((ref) => {
    const target = parseRef(ref);
    return target ? tx.objectStore(target.store).get(target.id) : undefined;
  });
  const byEmail = lookups.emailKeys.map((key) => tx.objectStore("contacts").index("emailKeys").get(key));
  const byDomain = lookups.domains.map((domain) => tx.objectStore("companies").index("domains").get(domain));
  const timeline = lookups.timelineOf.map((ref) => tx.objectStore("timeline").index("records").getAll(ref));
  const [r, e, d, t] = await Promise.all([Promise.all(records), Promise.all(byEmail), Promise.all(byDomain), Promise.all(timeline)]);
  return { records: distinct(r), contactsByEmailKey: distinct(e), companiesByDomain: distinct(d), timeline: distinct(t.flat()) };
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
  settings: unknown,
  nowMs: number,
  random: Uint8Array,
): Promise<unknown> {
  const lookups = core.crmLookups(command);
  const tx = db.transaction([...RECORD_STORES], "readwrite") as unknown as Tx;
  const found = await readFound(tx, lookups);
  const writes = await commit(tx, () => core.crmApply(command, found, settings, nowMs, random));
  return writes.result;
}
