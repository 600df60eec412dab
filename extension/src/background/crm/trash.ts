// Recently deleted records. A delete (the core's `delete` command) moves the
// record, and what was only about it, into one trash entry; `undoDelete`
// puts it back. Both are ordinary commands (save.ts). Here: the list the app
// shows, and the purge of entries older than the core's limit (30 days), run
// on the worker's periodic alarm.
import type { IDBPDatabase } from "idb";
import type { CrmCore } from "../core/types.js";

/** What "Recently deleted" shows of an entry (its records stay in the store). */
export interface TrashItem {
  id: string;
  at: number;
  record: string;
  title: string;
}

/** Recently deleted, newest first. */
export async function listTrash(db: IDBPDatabase<unknown>, limit = 500): Promise<TrashItem[]> {
  const items: TrashItem[] = [];
  let cursor = await db.transaction("trash", "readonly").store.index("at").openCursor(null, "prev");
  while (cursor && items.length < limit) {
    const { id, at, record, title } = cursor.value as TrashItem;
    items.push({ id, at, record, title });
    cursor = await cursor.continue();
  }
  return items;
}

/** Deletes trash entries older than the core's limit; answers how many went. */
export async function purgeTrash(db: IDBPDatabase<unknown>, core: Pick<CrmCore, "crmTrashCutoff">, nowMs: number): Promise<number> {
  const cutoff = core.crmTrashCutoff(nowMs);
  const tx = db.transaction("trash", "readwrite");
  const old = IDBKeyRange.upperBound(cutoff, true);
  const keys = await tx.store.index("at").getAllKeys(old);
  await Promise.all([...keys.map((key) => tx.store.delete(key)), tx.done]);
  return keys.length;
}
