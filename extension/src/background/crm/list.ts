// Paged windows over a record store for the app's virtualised lists: the
// rows from `offset` to `offset + limit` in one order, and how many rows the
// whole list has. Without a filter, in an indexed order, a window is read
// straight from the index (count, advance, a few rows). A filter's meaning is
// the core's (crmMatches), so a filtered list (or one in an order no index
// keeps) is read once in its order, matched by the core, and its ids kept
// until the next CRM write: scrolling it then reads only the window's rows.
import type { IDBPDatabase } from "idb";
import { withoutIndexKeys, type Row } from "./schema.js";

/** A list's kind, as the page names it, and the store it reads. */
const STORES = { contact: "contacts", company: "companies", deal: "deals", contacts: "contacts", companies: "companies", deals: "deals" } as const;
export type ListKind = keyof typeof STORES;

/**
 * The orders a list can have (the core's SortField): the index each reads
 * (schema.ts), or, for the orders no index keeps (every index is written on
 * every put, and an import writes 50,000 of them), the record field the kept
 * ids are sorted by once.
 */
const SORTS: Record<string, { index: string } | { field: string }> = {
  name: { index: "sortName" },
  lastActivityAt: { index: "lastActivityAt" },
  amount: { index: "amount" },
  closeDate: { index: "closeDate" },
  createdAt: { field: "createdAt" },
  updatedAt: { field: "updatedAt" },
};

/** At most this many rows per window (the design's limit for a page request). */
export const MAX_WINDOW = 200;

export interface ListQuery {
  kind: ListKind;
  sort: string;
  dir: "asc" | "desc";
  /** The core's filter value; null or undefined lists every record. */
  filter?: unknown;
  offset: number;
  limit: number;
}

export interface ListWindow<T = Row> {
  rows: T[];
  total: number;
}

/** The core's verdict on each record for a filter, in order. */
export type Matcher = (filter: unknown, records: Row[]) => boolean[];

/** Bumped by every CRM write: a filtered list's ids are read again after it. */
let generation = 0;
export function changed(): void {
  generation++;
}

/** How long a filtered list's ids stay valid without a write (time-based filters move). */
const FILTER_TTL_MS = 60_000;
const filtered = new Map<string, { generation: number; at: number; ids: string[] }>();

function storeOf(kind: string): string {
  if (!Object.hasOwn(STORES, kind)) throw { code: "unknownKind", message: `There is no list of "${kind}".` };
  return STORES[kind as ListKind];
}

function sortOf(store: string, sort: string): { index: string } | { field: string } {
  const order = Object.hasOwn(SORTS, sort) ? SORTS[sort] : undefined;
  // Amount and close date are deals' only.
  if (!order || ((sort === "amount" || sort === "closeDate") && store !== "deals")) {
    throw { code: "unknownSort", message: `This list cannot be sorted by "${sort}".` };
  }
  return order;
}

/** Every record of `store` in the order asked (ties by id, as an index orders them). */
async function inOrder(db: IDBPDatabase<unknown>, store: string, order: { index: string } | { field: string }, direction: "next" | "prev"): Promise<Row[]> {
  let all: Row[];
  if ("index" in order) {
    all = (await db.getAllFromIndex(store, order.index)) as Row[];
  } else {
    // getAll answers in id order; a stable sort keeps it for equal times.
    all = ((await db.getAll(store)) as Row[]).sort((a, b) => (a[order.field] as number) - (b[order.field] as number));
  }
  if (direction === "prev") all.reverse();
  return all.map((row) => withoutIndexKeys(row));
}

function isEmptyFilter(filter: unknown): boolean {
  if (filter === null || filter === undefined) return true;
  if (Array.isArray(filter)) return filter.length === 0;
  return typeof filter === "object" && Object.values(filter as object).every((v) => v === null || v === undefined);
}

/** One window of a list, and the list's length. */
export async function listWindow(db: IDBPDatabase<unknown>, query: ListQuery, matches: Matcher, nowMs: number): Promise<ListWindow> {
  const store = storeOf(query.kind);
  const order = sortOf(store, query.sort);
  const limit = Math.max(0, Math.min(query.limit, MAX_WINDOW));
  const offset = Math.max(0, query.offset);
  const direction = query.dir === "desc" ? "prev" : "next";
  const everything = isEmptyFilter(query.filter);
  if (everything && "index" in order) {
    const tx = db.transaction(store, "readonly");
    const source = tx.store.index(order.index);
    const total = await source.count();
    const rows: Row[] = [];
    let cursor = await source.openCursor(null, direction);
    if (cursor && offset > 0) cursor = await cursor.advance(offset);
    while (cursor && rows.length < limit) {
      rows.push(withoutIndexKeys(cursor.value as Row));
      cursor = await cursor.continue();
    }
    return { rows, total };
  }

  const key = JSON.stringify([store, query.sort, direction, everything ? null : query.filter]);
  let hit = filtered.get(key);
  if (!hit || hit.generation !== generation || nowMs - hit.at > FILTER_TTL_MS || nowMs < hit.at) {
    const all = await inOrder(db, store, order, direction);
    const verdicts = everything ? all.map(() => true) : matches(query.filter, all);
    hit = { generation, at: nowMs, ids: all.filter((_, i) => verdicts[i]).map((row) => row.id) };
    filtered.set(key, hit);
    // A handful of filters at a time is what a user switches between.
    if (filtered.size > 8) filtered.delete(filtered.keys().next().value!);
  }
  const ids = hit.ids.slice(offset, offset + limit);
  const tx = db.transaction(store, "readonly");
  const rows = await Promise.all(ids.map((id) => tx.store.get(id)));
  // A row deleted since the ids were read is left out of this window.
  return { rows: rows.filter((r): r is Row => r !== undefined).map((r) => withoutIndexKeys(r as Row)), total: hit.ids.length };
}
