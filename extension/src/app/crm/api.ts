// The CRM's page requests (the worker's handlers; the core validates each
// against its schema). Every reply or refusal comes back through call(): a
// refusal is an InlayError carrying the core's sentence.
import type { SortField } from "../../background/core/generated/SortField.js";
import { call, type Request } from "../../shared/messages.js";
import type {
  BoardColumn,
  CrmCommand,
  CrmSettings,
  CrmSettingsReading,
  CsvField,
  CsvPreview,
  ImportResult,
  ListFilter,
  ListKind,
  ListWindow,
  RecordRef,
  RecordView,
  SaveResult,
  SearchHit,
  TaskFilter,
  Task,
  TimelineEntry,
  TrashEntry,
} from "./types.js";

const STORE = { contact: "contacts", company: "companies", deal: "deals" } as const;

// The page requests are the core's PageRequest (generated): a request off its schema does not compile.
function ask<T>(request: Request): Promise<T> {
  return call<T>(request);
}

/** The settings as the worker answers them: the core's reading, or (from an older worker) the settings alone. */
function reading(r: CrmSettingsReading | CrmSettings): CrmSettingsReading {
  return "settings" in r ? r : { settings: r, ownersFromPolicy: false, pipelinesFromPolicy: false, ignored: [] };
}

export const crm = {
  search: (query: string, limit = 12) => ask<SearchHit[]>({ type: "crmSearch", query, limit }),
  list: <T>(kind: ListKind, sort: SortField, dir: "asc" | "desc", filter: ListFilter, offset: number, limit: number) =>
    ask<ListWindow<T>>({ type: "crmList", kind: STORE[kind], sort, dir, filter, offset, limit }),
  get: (record: RecordRef) => ask<RecordView>({ type: "crmGet", record }),
  timeline: (record: RecordRef, before: number, limit = 200) =>
    ask<{ entries: TimelineEntry[]; more: boolean }>({ type: "crmTimeline", record, before, limit }),
  save: (command: CrmCommand) => ask<SaveResult>({ type: "crmSave", command }),
  board: (pipeline: string) => ask<{ stages: BoardColumn[] }>({ type: "crmBoard", pipeline }),
  tasks: (filter: TaskFilter, offset = 0, limit = 200) => ask<ListWindow<Task>>({ type: "crmTasks", filter, offset, limit }),
  importChunk: (importId: string | null, index: number, text: string) =>
    ask<{ importId: string }>({ type: "crmImportChunk", importId, index, text }),
  importPreview: (importId: string) => ask<CsvPreview>({ type: "crmImportPreview", importId }),
  importRun: (importId: string, mapping: (CsvField | null)[]) =>
    ask<ImportResult>({ type: "crmImportRun", importId, mapping }),
  importDiscard: (importId: string) => ask<null>({ type: "crmImportDiscard", importId }),
  export: (kind: "contacts" | "companies" | "deals") => ask<{ filename: string; text: string }>({ type: "crmExport", kind }),
  settings: () => ask<CrmSettingsReading | CrmSettings>({ type: "crmSettings" }).then(reading),
  saveSettings: (settings: CrmSettings) => ask<CrmSettingsReading | CrmSettings>({ type: "crmSaveSettings", settings }).then(reading),
  trash: () => ask<TrashEntry[]>({ type: "crmTrash" }),
};
