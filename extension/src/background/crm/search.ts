// Search as you type: the core folds the query into tokens (crmQueryKeys);
// the longest one is looked up as a prefix range on each searchable store's
// searchKeys index (the fewest candidates), and the core ranks what was found
// (every token must match, exact before prefix, name before address). The
// core is handed only the fields ranking reads (core `search::Candidate`),
// not whole records: reading ~600 whole records was most of a search's time.
import type { IDBPDatabase } from "idb";
import type { Row } from "./schema.js";

/** The stores the search box looks in, with the kind each record is. */
export const SEARCHED = [
  ["contacts", "contact"],
  ["companies", "company"],
  ["deals", "deal"],
] as const;

/** The fields of a record of each store that ranking reads (core `search::Candidate`). */
const RANKED = {
  contacts: ["firstName", "lastName", "emails"],
  companies: ["name", "domains"],
  deals: ["name", "amount", "currency"],
} as const;
const COMMON = ["lastActivityAt", "searchKeys", "sortName"] as const;

/** What the core ranks of `row`: its id and the fields of RANKED and COMMON. */
function candidate(store: keyof typeof RANKED, row: Row): Row {
  const out: Row = { id: row.id };
  for (const field of RANKED[store]) out[field] = row[field];
  for (const field of COMMON) out[field] = row[field];
  return out;
}

/** Index entries read per store before ranking (the core ranks about 20 µs a candidate in the module). */
export const CANDIDATES_PER_STORE = 200;

export interface Candidates {
  contacts: Row[];
  companies: Row[];
  deals: Row[];
}

/** Of every searched store, the records with a search key starting with the longest of `keys`, as candidates for crmRank. */
export async function searchCandidates(db: IDBPDatabase<unknown>, keys: string[]): Promise<Candidates> {
  const found: Candidates = { contacts: [], companies: [], deals: [] };
  const prefix = keys.reduce((a, b) => (b.length > a.length ? b : a), "");
  if (!prefix) return found;
  // Every key starting with the prefix: [prefix, prefix + the highest code unit].
  const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
  const tx = db.transaction(SEARCHED.map(([store]) => store), "readonly");
  await Promise.all(
    SEARCHED.map(async ([store]) => {
      // A record with two matching keys ("ada", "ada@example.com") is read twice and kept once.
      const rows = (await tx.objectStore(store).index("searchKeys").getAll(range, CANDIDATES_PER_STORE)) as Row[];
      const seen = new Set<string>();
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        found[store].push(candidate(store, row));
      }
    }),
  );
  return found;
}
