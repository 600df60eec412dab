// The outbox in IndexedDB: one transaction per state change. Each change
// writes the core's entry, its view and the wake key together, so what is
// on disk is always one state the machine returned.
import type { IDBPDatabase } from "idb";
import type { EntryJson, OutboxView } from "./binding.js";
import { wakeOf } from "./binding.js";
import type { BlobRow, OutboxRow } from "./schema.js";

type Db = IDBPDatabase<unknown>;

/** The row with the view's wake time as its index key (absent: no key, never woken for). */
export function withWake(row: OutboxRow, nowMs: number): OutboxRow {
  const wake = wakeOf(row.view, row.dueAt?.atMs, nowMs);
  const { ixWake: _old, ...rest } = row;
  return wake === null ? rest : { ...rest, ixWake: wake };
}

/** A new email and its bytes, in one transaction (with the draft it came from removed). */
export async function addEntry(db: Db, row: OutboxRow, blob: BlobRow, nowMs: number, draftId?: string): Promise<void> {
  const tx = db.transaction(["outbox", "outboxBlobs", "drafts"], "readwrite");
  const writes: Promise<unknown>[] = [tx.objectStore("outbox").put(withWake(row, nowMs)), tx.objectStore("outboxBlobs").put(blob)];
  if (draftId) writes.push(tx.objectStore("drafts").delete(draftId));
  await Promise.all([...writes, tx.done]);
}

export async function getEntry(db: Db, id: string): Promise<OutboxRow | undefined> {
  return (await db.get("outbox", id)) as OutboxRow | undefined;
}

export async function getBlob(db: Db, id: string): Promise<BlobRow | undefined> {
  return (await db.get("outboxBlobs", id)) as BlobRow | undefined;
}

/**
 * Commits a state the machine returned. Resolves once the transaction is
 * durable, so a step after it runs only with this state on disk. `patch`
 * may mark the row (e.g. logged once the CRM has it).
 */
export async function commit(db: Db, id: string, json: EntryJson, view: OutboxView, nowMs: number, patch: Partial<OutboxRow> = {}): Promise<OutboxRow> {
  const tx = db.transaction("outbox", "readwrite");
  const store = tx.objectStore("outbox");
  const old = (await store.get(id)) as OutboxRow | undefined;
  if (!old) throw new Error(`the outbox has no email ${id}`);
  const row = withWake({ ...old, ...patch, json, view, updatedAt: nowMs }, nowMs);
  await Promise.all([store.put(row), tx.done]);
  return row;
}

/** Every email, newest first (the list's rows; no bytes). */
export async function listEntries(db: Db): Promise<OutboxRow[]> {
  const rows = (await db.getAllFromIndex("outbox", "createdAt")) as OutboxRow[];
  return rows.reverse();
}

/** The emails that need the worker by `untilMs` (their wake time has come). */
export async function dueIds(db: Db, untilMs: number): Promise<string[]> {
  return (await db.getAllKeysFromIndex("outbox", "wake", IDBKeyRange.upperBound(untilMs))) as string[];
}

/** The earliest wake time of any email, or null when none needs the worker. */
export async function nextWake(db: Db): Promise<number | null> {
  const cursor = await db.transaction("outbox").store.index("wake").openKeyCursor();
  return cursor ? (cursor.key as number) : null;
}

/** When `inbox` sent emails since `sinceMs` (the core's rate limits read them). */
export async function sentSince(db: Db, inbox: string, sinceMs: number): Promise<number[]> {
  const rows = (await db.getAll("outbox")) as OutboxRow[];
  return rows.flatMap((r) => (r.inbox === inbox && r.view.state.kind === "sent" && r.view.state.atMs >= sinceMs ? [r.view.state.atMs] : []));
}

/** Removes an email's bytes once it needs them no more (sent, cancelled, failed for good). */
export async function dropBlob(db: Db, id: string): Promise<void> {
  await db.delete("outboxBlobs", id);
}
