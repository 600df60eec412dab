// The deal board and the task list: reads over one index each. Which deals
// go in which column, in what order, and what a column's total is, are the
// core's (crmBoard); the worker reads the pipeline's deals.
import type { IDBPDatabase } from "idb";
import { withoutIndexKeys, type Row } from "./schema.js";

/** Every deal of a pipeline. */
export async function pipelineDeals(db: IDBPDatabase<unknown>, pipeline: string): Promise<Row[]> {
  return ((await db.getAllFromIndex("deals", "pipeline", pipeline)) as Row[]).map((row) => withoutIndexKeys(row));
}

export type TaskFilter = "open" | "overdue" | "today" | "done";

/** A task's index key is [0 open | 1 done, due date]; a task with no due date sorts last. */
function taskRange(filter: TaskFilter, today: string): IDBKeyRange {
  switch (filter) {
    case "open":
      return IDBKeyRange.bound([0, ""], [0, "\uffff"]);
    case "overdue":
      return IDBKeyRange.bound([0, ""], [0, today], false, true);
    case "today":
      return IDBKeyRange.only([0, today]);
    case "done":
      return IDBKeyRange.bound([1, ""], [1, "\uffff"]);
  }
}

/**
 * A window of the task list, by due date (done tasks too), and its length.
 * `today` is the user's local date (YYYY-MM-DD), the clock's reading.
 */
export async function taskWindow(
  db: IDBPDatabase<unknown>,
  query: { filter: TaskFilter; offset: number; limit: number },
  today: string,
): Promise<{ rows: Row[]; total: number }> {
  const range = taskRange(query.filter, today);
  const index = db.transaction("tasks", "readonly").store.index("status");
  const total = await index.count(range);
  const rows: Row[] = [];
  let cursor = await index.openCursor(range);
  if (cursor && query.offset > 0) cursor = await cursor.advance(query.offset);
  while (cursor && rows.length < Math.min(query.limit, 200)) {
    rows.push(withoutIndexKeys(cursor.value as Row));
    cursor = await cursor.continue();
  }
  return { rows, total };
}

/** The local date of `nowMs` as YYYY-MM-DD (the user's day decides what is due today). */
export function localDate(nowMs: number): string {
  const d = new Date(nowMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
