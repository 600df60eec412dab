// Paged windows over a record store for the app's virtualised lists: the
// rows from `offset` to `offset + limit` in the order of one index, and how
// many rows the whole list has. Without a filter a window is read straight
// from the index (count, advance, a few rows). A filter's meaning is the
// core's (crmMatches), so a filtered list is read once in index order,
// matched by the core, and its ids kept until the next CRM write: scrolling
// it then reads only the window's rows.
import type { IDBPDatabase } from "idb";
import { withoutIndexKeys, type Row } from "./schema.js";

/** A list's kind, as the page names it, and the store it reads. */
const STORES = { contact: "contacts", company: "companies", deal: "deals", contacts: "contacts", companies: "companies", deals: "deals" } as const;
export type ListKind = keyof typeof STORES;

/** The orders a list can have (the core's SortField): the index each reads (schema.ts). */
const SORT_INDEXES: Record<string, string> = {
  name: "sortName",
  createdAt: "createdAt",
  updatedAt: "updatedAt",
  lastActivityAt: "lastActivityAt",
  amount: "amount",
  closeDate: "closeDate",
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

function indexOf(store: string, sort: string): string {
  const index = SORT_INDEXES[sort];
  // Amount and close date are deals' only.
  if (!index || ((sort === "amount" || sort === "closeDate") && store !== "deals")) {
    throw { code: "unknownSort", message: `This list cannot be sorted by "${sort}".` };
  }
  return index;
}

function isEmptyFilter(filter: unknown): boolean {
  if (filter === null || filter === undefined) return true;
  if (Array.isArray(filter)) return filter.length === 0;
  return typeof filter === "object" && Object.values(filter as object).every((v) => v === null || v === undefined);
}

/** One window of a list, and the list's length. */
export async function listWindow(db: IDBPDatabase<unknown>, query: ListQuery, matches: Matcher, nowMs: number): Promise<ListWindow> {
  const store = storeOf(query.kind);
  const index = indexOf(store, query.sort);
  const limit = Math.max(0, Math.min(query.limit, MAX_WINDOW));
  const offset = Math.max(0, query.offset);
  const direction = query.dir === "desc" ? "prev" : "next";
  if (isEmptyFilter(query.filter)) {
    const tx = db.transaction(store, "readonly");
    const source = tx.store.index(index);
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

  const key = JSON.stringify([store, index, direction, query.filter]);
  let hit = filtered.get(key);
  if (!hit || hit.generation !== generation || nowMs - hit.at > FILTER_TTL_MS || nowMs < hit.at) {
    const all = ((await db.getAllFromIndex(store, index)) as Row[]).map((row) => withoutIndexKeys(row));
    if (direction === "prev") all.reverse();
    const verdicts = matches(query.filter, all);
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
