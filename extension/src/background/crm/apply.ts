// Applies what the core decided (a WriteSet) inside an open IndexedDB
// transaction. Every put and delete is issued at once with no await in
// between, so the transaction cannot commit half-way; an error in any
// request (a unique index refusing a second owner of an address) aborts the
// whole transaction, and nothing of the write is stored.
import { RECORD_STORES, withIndexKeys, type RecordStore, type Row } from "./schema.js";

/** What the core's crmApply / crmCsvImport return for the store (core `crm::WriteSet`). */
export interface Writes {
  put: Partial<Record<RecordStore, Row[]>>;
  delete: Partial<Record<RecordStore, string[]>>;
}

/**
 * Issues every delete, then every put, of `writes` in `tx` (which must cover
 * the stores named). Deletes go first: a merge deletes the absorbed contact
 * and puts the kept one with its addresses, which the unique index would
 * refuse the other way round. Returns the number of requests issued.
 */
export function applyWrites(tx: IDBTransaction, writes: Writes): number {
  let issued = 0;
  for (const name of RECORD_STORES) {
    const ids = writes.delete[name];
    if (!ids?.length) continue;
    const store = tx.objectStore(name);
    for (const id of ids) store.delete(id);
    issued += ids.length;
  }
  for (const name of RECORD_STORES) {
    const rows = writes.put[name];
    if (!rows?.length) continue;
    const store = tx.objectStore(name);
    for (const row of rows) store.put(withIndexKeys(name, row));
    issued += rows.length;
  }
  return issued;
}

/** The stores a WriteSet touches (a transaction's scope). */
export function storesOf(writes: Writes): RecordStore[] {
  return RECORD_STORES.filter((name) => writes.put[name]?.length || writes.delete[name]?.length);
}

/** Settles when `tx` commits; rejects with its error when it aborts. */
export function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.addEventListener("complete", () => resolve());
    tx.addEventListener("abort", () => reject(tx.error ?? new DOMException("The write was aborted.", "AbortError")));
  });
}
