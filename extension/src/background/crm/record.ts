// Reading one record's page: the record, what it is associated with, its
// tasks and notes, and its timeline newest first, a page at a time. The
// associations are the record's own fields (companyId, contactIds, related)
// and the indexes over them; which associations may exist is the core's rule,
// applied when it wrote them.
import type { IDBPDatabase, IDBPTransaction } from "idb";
import { withoutIndexKeys, type Row } from "./schema.js";

/** A record's kind, as a RecordRef names it ("contact:ct_…"), and the store it lives in. */
export const STORE_OF_KIND = {
  contact: "contacts",
  company: "companies",
  deal: "deals",
  task: "tasks",
  note: "notes",
} as const;
export type RecordKind = keyof typeof STORE_OF_KIND;

/** The kind and id a RecordRef names; undefined for a string that is none. */
export function parseRef(ref: string): { kind: RecordKind; store: (typeof STORE_OF_KIND)[RecordKind]; id: string } | undefined {
  const at = ref.indexOf(":");
  const kind = ref.slice(0, at) as RecordKind;
  if (at < 0 || !Object.hasOwn(STORE_OF_KIND, kind)) return undefined;
  return { kind, store: STORE_OF_KIND[kind], id: ref.slice(at + 1) };
}

/** Timeline entries on the first page of a record. */
export const FIRST_PAGE = 200;
/** Associated records read per kind (a company with more contacts lists them from its contact list). */
export const ASSOCIATED_MAX = 500;

export interface TimelinePage {
  entries: Row[];
  more: boolean;
}

type Tx = IDBPTransaction<unknown, string[], "readonly">;

/** Every timeline entry of `ref`: its range of the recordAt index ([ref, at, id] keys). */
export function everyEntryOf(ref: string): IDBKeyRange {
  return IDBKeyRange.bound([ref, -Infinity], [ref, Infinity]);
}

/**
 * Up to `limit` entries of `ref`'s timeline older than `before` (ms; none:
 * from the newest), newest first. Entries sharing the time of the page's last
 * one all come in this page, so the next page (before that time) skips none.
 */
export async function timelinePage(tx: Tx, ref: string, before: number | null, limit: number): Promise<TimelinePage> {
  const upper = before === null ? [ref, Infinity] : [ref, before];
  const range = IDBKeyRange.bound([ref, -Infinity], upper, false, before !== null);
  const entries: Row[] = [];
  let cursor = await tx.objectStore("timeline").index("recordAt").openCursor(range, "prev");
  while (cursor) {
    const row = cursor.value as Row;
    const last = entries.at(-1);
    if (entries.length >= limit && (!last || row.at !== last.at)) return { entries, more: true };
    entries.push(withoutIndexKeys(row));
    cursor = await cursor.continue();
  }
  return { entries, more: false };
}

export interface RecordPage {
  record: Row;
  associations: { contacts: Row[]; companies: Row[]; deals: Row[] };
  timeline: Row[];
  more: boolean;
  tasks: Row[];
  notes: Row[];
}

const clean = (rows: unknown[]) => (rows.filter((r) => r !== undefined) as Row[]).map((r) => withoutIndexKeys(r));

/** Everything a record's page shows, read in one transaction; undefined when there is no such record. */
export async function readRecord(db: IDBPDatabase<unknown>, ref: string): Promise<RecordPage | undefined> {
  const target = parseRef(ref);
  if (!target) return undefined;
  const tx = db.transaction(["contacts", "companies", "deals", "tasks", "notes", "timeline"], "readonly") as unknown as Tx;
  const stored = (await tx.objectStore(target.store).get(target.id)) as Row | undefined;
  if (!stored) return undefined;
  const record = withoutIndexKeys(stored);
  const get = (store: string, ids: (string | null | undefined)[]) =>
    Promise.all(ids.filter((id): id is string => typeof id === "string").slice(0, ASSOCIATED_MAX).map((id) => tx.objectStore(store).get(id)));
  const by = (store: string, index: string, key: string) => tx.objectStore(store).index(index).getAll(key, ASSOCIATED_MAX);
  const related = (ref: string) => Promise.all([by("tasks", "related", ref), by("notes", "related", ref)]);

  let contacts: unknown[] = [];
  let companies: unknown[] = [];
  let deals: unknown[] = [];
  const companyId = record.companyId as string | null | undefined;
  if (target.kind === "contact") {
    [companies, deals] = await Promise.all([get("companies", [companyId]), by("deals", "contactIds", target.id)]);
  } else if (target.kind === "company") {
    [contacts, deals] = await Promise.all([by("contacts", "companyId", target.id), by("deals", "companyId", target.id)]);
  } else if (target.kind === "deal") {
    [contacts, companies] = await Promise.all([get("contacts", (record.contactIds as string[]) ?? []), get("companies", [companyId])]);
  } else {
    // A task or a note: the records it is about.
    const refs = ((record.related as string[]) ?? []).map(parseRef);
    const ids = (kind: RecordKind) => refs.filter((r) => r?.kind === kind).map((r) => r!.id);
    [contacts, companies, deals] = await Promise.all([get("contacts", ids("contact")), get("companies", ids("company")), get("deals", ids("deal"))]);
  }
  const [[tasks, notes], page] = await Promise.all([related(ref), timelinePage(tx, ref, null, FIRST_PAGE)]);
  return {
    record,
    associations: { contacts: clean(contacts), companies: clean(companies), deals: clean(deals) },
    timeline: page.entries,
    more: page.more,
    tasks: clean(tasks),
    notes: clean(notes),
  };
}
