// The CRM's shapes as the app page sees them (docs: /work/notes crm design,
// core/src/crm/model.rs). The worker answers these; the page only shows them.
// Until the core's generated types cover every reply, the app's view of them
// lives here, in one place.

export type Kind = "contact" | "company" | "deal" | "task" | "note";
export type ListKind = "contact" | "company" | "deal";
/** "contact:ct_…" */
export type RecordRef = string;

interface Stamped {
  id: string;
  createdAt: number;
  updatedAt: number;
}

export interface Contact extends Stamped {
  emails: string[];
  firstName: string;
  lastName: string;
  jobTitle: string;
  phone: string;
  companyId: string | null;
  owner: string | null;
  lifecycleStage: string | null;
  leadStatus: string | null;
  custom: Record<string, string>;
  lastActivityAt: number | null;
}

export interface Company extends Stamped {
  name: string;
  domains: string[];
  owner: string | null;
  lastActivityAt: number | null;
}

export interface Deal extends Stamped {
  name: string;
  pipeline: string;
  stage: string;
  amount: string | null;
  currency: string | null;
  closeDate: string | null;
  contactIds: string[];
  companyId: string | null;
  owner: string | null;
  lastActivityAt: number | null;
}

export interface Task extends Stamped {
  title: string;
  due: string | null;
  kind: "todo" | "call" | "email";
  done: boolean;
  related: RecordRef[];
  owner: string | null;
}

export interface Note extends Stamped {
  body: string;
  related: RecordRef[];
}

export type AnyRecord = Contact | Company | Deal | Task | Note;

export interface TimelineEntry {
  id: string;
  records: RecordRef[];
  at: number;
  kind: string;
  summary: string;
  data: Record<string, string | number | boolean | null>;
}

export interface SearchHit {
  record: RecordRef;
  title: string;
  subtitle: string;
  matched: string;
}

export interface Stage {
  id: string;
  name: string;
  probability: number;
  closed: "won" | "lost" | null;
}
export interface Pipeline {
  id: string;
  name: string;
  stages: Stage[];
}
export interface Owner {
  id: string;
  name: string;
  email: string | null;
}
export interface CrmSettings {
  owners: Owner[];
  pipelines: Pipeline[];
  currency: string;
}

/** The settings in force, and which parts the admin's policy set. */
export interface CrmSettingsReading {
  settings: CrmSettings;
  ownersFromPolicy: boolean;
  pipelinesFromPolicy: boolean;
  ignored: { key: string; message: string }[];
}

export interface RecordView {
  record: AnyRecord;
  associations: { contacts: Contact[]; companies: Company[]; deals: Deal[] };
  timeline: TimelineEntry[];
  more: boolean;
  tasks: Task[];
  notes: Note[];
}

/** The core's CrmFilter (what each means is the core's). */
export interface ListFilter {
  owner?: string | null;
  pipeline?: string | null;
  stage?: string | null;
  lifecycleStage?: string | null;
  /** Last activity within this many days. */
  activeWithinDays?: number | null;
}

export interface ListWindow<T> {
  rows: T[];
  total: number;
}

export interface BoardColumn {
  stage: string;
  deals: Deal[];
  total: string;
  count: number;
}

export type TaskFilter = "open" | "overdue" | "today" | "done";

export interface CsvPreview {
  columns: string[];
  /** One suggestion per column, in order: a CsvField or null. */
  suggestedMapping: unknown[] | Record<string, unknown>;
  sampleRows: string[][];
  rowCount: number;
}

export interface Skipped {
  line: number;
  reason: string;
}

export interface ImportResult {
  imported: number;
  skipped: Skipped[];
}

export interface TrashEntry {
  id: string;
  at: number;
  record: RecordRef;
  title: string;
}

/** The editable fields of each kind (the core fills ids, keys and stamps). */
export interface ContactInput {
  id?: string;
  emails: string[];
  firstName: string;
  lastName: string;
  jobTitle: string;
  phone: string;
  companyId: string | null;
  owner: string | null;
  lifecycleStage: string | null;
  leadStatus: string | null;
  custom: Record<string, string>;
}
export interface CompanyInput {
  id?: string;
  name: string;
  domains: string[];
  owner: string | null;
}
export interface DealInput {
  id?: string;
  name: string;
  pipeline: string;
  stage: string;
  amount: string | null;
  currency: string | null;
  closeDate: string | null;
  contactIds: string[];
  companyId: string | null;
  owner: string | null;
}
export interface TaskInput {
  id?: string;
  title: string;
  due: string | null;
  kind: "todo" | "call" | "email";
  done: boolean;
  related: RecordRef[];
  owner: string | null;
}
export interface NoteInput {
  id?: string;
  body: string;
  related: RecordRef[];
}

export type CrmCommand =
  | { op: "saveContact"; contact: ContactInput }
  | { op: "saveCompany"; company: CompanyInput }
  | { op: "saveDeal"; deal: DealInput }
  | { op: "saveTask"; task: TaskInput }
  | { op: "saveNote"; note: NoteInput }
  | { op: "delete"; record: RecordRef }
  | { op: "undoDelete"; trashId: string }
  | { op: "moveDeal"; deal: string; stage: string }
  | { op: "completeTask"; task: string; done?: boolean };

/** What a save answers (the core's CrmOutcome): the saved record, the trash entry to undo a delete, its sentence. */
export interface SaveResult {
  record: AnyRecord | null;
  created: boolean;
  trashId: string | null;
  absorbed: RecordRef | null;
  message: string;
}

export function refOf(kind: Kind, id: string): RecordRef {
  return `${kind}:${id}`;
}

export function parseRef(ref: RecordRef): { kind: Kind; id: string } | null {
  const [kind, id] = ref.split(":");
  if (!id || !["contact", "company", "deal", "task", "note"].includes(kind ?? "")) return null;
  return { kind: kind as Kind, id };
}
