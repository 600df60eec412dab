// The CRM's object stores in the `inlay` database, created by its version-3
// upgrade (state/store.ts's open() calls upgradeCrm; versions 1→2 are the
// inbox stores'). Records are the core's values as they are, keyed by their
// id; the few index keys a record's own fields cannot give (a null sorts
// nowhere, a boolean is not a key, a timeline page needs record + time) are
// added on write and removed on read (withIndexKeys / withoutIndexKeys).
// The database is new at version 3, so its indexes can still change until
// it ships; after that, an index is added by a version-4 upgrade.
import type { IDBPDatabase } from "idb";

/** The database version that holds the CRM stores. */
export const CRM_VERSION = 3;

/** Stores a core WriteSet puts to and deletes from (the WriteSet's own names). */
export const RECORD_STORES = ["contacts", "companies", "deals", "tasks", "notes", "timeline", "trash"] as const;
export type RecordStore = (typeof RECORD_STORES)[number];

/** Every CRM store. */
export const CRM_STORES = [...RECORD_STORES, "imports", "crmSettings"] as const;
export type CrmStore = (typeof CRM_STORES)[number];

/** A stored record: the core's value plus the derived index keys. */
export type Row = { id: string } & Record<string, unknown>;

/** One staged chunk of a CSV import, keyed by [importId, index]. */
export interface ImportChunk {
  importId: string;
  index: number;
  text: string;
  /** When the chunk was staged (ms), for discarding forgotten imports. */
  at: number;
}

/** A sortable stand-in for a missing time: records never active sort as the oldest. */
const NEVER = -1;
/** A task without a due date, a deal without a close date, sorts after every dated one. */
const NO_DATE = "9999-12-31";

/** The index keys the store adds to a record of `store` before it is put. */
export function withIndexKeys(store: RecordStore, record: Row): Row {
  switch (store) {
    case "contacts":
    case "companies":
      return { ...record, ixActivity: (record.lastActivityAt as number | null) ?? NEVER };
    case "deals":
      return {
        ...record,
        ixActivity: (record.lastActivityAt as number | null) ?? NEVER,
        ixClose: (record.closeDate as string | null) ?? NO_DATE,
        // The core's canonical decimal ("1250.00") as a number, for ordering only; no amount sorts lowest.
        ixAmount: record.amount == null ? -Infinity : Number(record.amount),
      };
    case "tasks":
      // Open tasks first, each group by due date: [0|1, "YYYY-MM-DD"].
      return { ...record, ixStatus: [record.done ? 1 : 0, (record.due as string | null) ?? NO_DATE] };
    case "timeline": {
      // One key per record it shows on, in time order: a record's page of entries is one index range.
      const at = record.at as number;
      return { ...record, ixRecordAt: (record.records as string[]).map((ref) => [ref, at, record.id]) };
    }
    default:
      return record;
  }
}

/** A stored row as the core knows it: the index keys removed. */
export function withoutIndexKeys<T = Row>(row: Row): T {
  const { ixActivity: _a, ixStatus: _s, ixRecordAt: _r, ixClose: _c, ixAmount: _m, ...record } = row;
  return record as T;
}

/**
 * Creates the CRM stores and their indexes (version 2 → 3). Runs inside the
 * upgrade's transaction, so a database is either at version 3 with every
 * store or still at its old version.
 */
export function upgradeCrm(database: IDBPDatabase<unknown>, oldVersion: number): void {
  if (oldVersion >= CRM_VERSION) return;
  const db = database as unknown as IDBDatabase;
  const store = (name: CrmStore, options: IDBObjectStoreParameters = { keyPath: "id" }) => db.createObjectStore(name, options);
  // Only indexes a read uses: each one is written on every put (an import of
  // 50,000 contacts writes every index entry of each). Filters (owner,
  // lifecycle stage, …) are the core's verdict over a list read in its sort
  // order, not index ranges.
  const multi = { multiEntry: true };

  const contacts = store("contacts");
  // The database itself refuses a second contact with one address.
  contacts.createIndex("emailKeys", "emailKeys", { unique: true, multiEntry: true });
  contacts.createIndex("searchKeys", "searchKeys", multi);
  contacts.createIndex("sortName", "sortName");
  contacts.createIndex("lastActivityAt", "ixActivity");
  contacts.createIndex("companyId", "companyId");

  const companies = store("companies");
  companies.createIndex("domains", "domains", { unique: true, multiEntry: true });
  companies.createIndex("searchKeys", "searchKeys", multi);
  companies.createIndex("sortName", "sortName");
  companies.createIndex("lastActivityAt", "ixActivity");

  const deals = store("deals");
  deals.createIndex("searchKeys", "searchKeys", multi);
  deals.createIndex("sortName", "sortName");
  deals.createIndex("lastActivityAt", "ixActivity");
  deals.createIndex("closeDate", "ixClose");
  deals.createIndex("amount", "ixAmount");
  deals.createIndex("stage", ["pipeline", "stage"]);
  deals.createIndex("companyId", "companyId");
  deals.createIndex("contactIds", "contactIds", multi);

  const tasks = store("tasks");
  tasks.createIndex("status", "ixStatus");
  tasks.createIndex("related", "related", multi);

  store("notes").createIndex("related", "related", multi);

  const timeline = store("timeline");
  timeline.createIndex("recordAt", "ixRecordAt", multi);

  store("trash").createIndex("at", "at");
  store("imports", { keyPath: ["importId", "index"] }).createIndex("at", "at");
  // One row, under the key "settings".
  store("crmSettings", {});
}
