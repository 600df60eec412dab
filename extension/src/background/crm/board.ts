// The deal board and the task list: reads over one index each. The stages
// and their order are the settings' (the core's), a column's total is the
// core's exact decimal sum (crmSumAmounts); deals in a column are in name
// order (the core's sortName).
import type { IDBPDatabase } from "idb";
import type { CrmSettings } from "../core/types.js";
import { withoutIndexKeys, type Row } from "./schema.js";

export interface BoardColumn {
  stage: string;
  deals: Row[];
  total: string;
  count: number;
}

/** The board of a pipeline: one column per stage of the settings, in their order. */
export async function board(
  db: IDBPDatabase<unknown>,
  settings: CrmSettings,
  pipelineId: string,
  sum: (amounts: string[]) => string,
): Promise<{ stages: BoardColumn[] }> {
  const pipeline = settings.pipelines.find((p) => p.id === pipelineId);
  if (!pipeline) return { stages: [] };
  const index = db.transaction("deals", "readonly").store.index("stage");
  const columns = await Promise.all(pipeline.stages.map((stage) => index.getAll([pipelineId, stage.id])));
  return {
    stages: pipeline.stages.map((stage, i) => {
      const deals = (columns[i] as Row[]).map((row) => withoutIndexKeys(row));
      deals.sort((a, b) => ((a.sortName as string) < (b.sortName as string) ? -1 : (a.sortName as string) > (b.sortName as string) ? 1 : 0));
      const amounts = deals.map((d) => d.amount).filter((a): a is string => typeof a === "string");
      return { stage: stage.id, deals, total: sum(amounts), count: deals.length };
    }),
  };
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
