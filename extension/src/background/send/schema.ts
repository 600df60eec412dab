// Sending's object stores in the `inlay` database, created by its version-4
// upgrade (state/store.ts's open() calls upgradeSend after the CRM's 2→3).
// The outbox entry is the core's JSON string, kept as it is; the store adds
// the view the core derived from it (for lists) and `ixWake`, the time the
// entry next needs the worker (absent: it needs nobody, so it is no key and
// the alarm's range never sees it). The email's bytes live apart
// (outboxBlobs), so listing the outbox never reads them.
import type { IDBPDatabase } from "idb";
import type { SendDraft } from "../core/generated/SendDraft.js";
import type { SendLateRule } from "../core/generated/SendLateRule.js";
import type { SendSignature } from "../core/generated/SendSignature.js";
import type { EntryJson, OutboxView } from "./binding.js";

/** The database version that holds sending's stores. */
export const SEND_VERSION = 4;

export const SEND_STORES = ["outbox", "outboxBlobs", "drafts", "attachments", "templates", "sendSettings"] as const;
export type SendStore = (typeof SEND_STORES)[number];

/** One email in the outbox. */
export interface OutboxRow {
  id: string;
  /** The core's entry, never read by the shell. */
  json: EntryJson;
  view: OutboxView;
  /** What the user composed, kept to edit a scheduled email and to log it once sent. */
  draft: SendDraft & { id: string };
  /** The connected inbox it leaves from (its secret; From may be one of its aliases). */
  inbox: string;
  /** What the lists show without the core. */
  summary: { from: string; to: string[]; subject: string; messageId: string; snippet?: string };
  createdAt: number;
  updatedAt: number;
  /** When it next needs the worker (ms); absent when it needs nobody. */
  ixWake?: number;
  /** The due check's later time (a rate limit's slot) and why, until the machine runs again. */
  dueAt?: { atMs: number; reason: string } | null;
  /** The CRM logged it (set once, after `sent`). */
  logged?: boolean;
}

/** The email's bytes: with Bcc (`mime`) and, when there is a Bcc, without it (`transmitted`, for SMTP). */
export interface BlobRow {
  id: string;
  mime: Uint8Array;
  transmitted: Uint8Array | null;
}

export type DraftRow = SendDraft & { id: string; createdAt: number; updatedAt: number };

/** One staged chunk of an attachment (bytes), keyed by [attachmentId, index]. */
export interface AttachmentChunk {
  attachmentId: string;
  index: number;
  bytes: Uint8Array;
  at: number;
}

export interface TemplateRow {
  id: string;
  name: string;
  subject: string;
  html: string;
  updatedAt: number;
}

export interface SendSettingsRow {
  id: "settings";
  late: SendLateRule;
  signatures: SendSignature[];
}

/**
 * Creates sending's stores (version 3 → 4). Runs inside the upgrade's
 * transaction: a database is at version 4 with every store, or still at its
 * old version with everything it held.
 */
export function upgradeSend(database: IDBPDatabase<unknown>, oldVersion: number): void {
  if (oldVersion >= SEND_VERSION) return;
  const db = database as unknown as IDBDatabase;
  const outbox = db.createObjectStore("outbox", { keyPath: "id" });
  outbox.createIndex("wake", "ixWake");
  outbox.createIndex("createdAt", "createdAt");
  db.createObjectStore("outboxBlobs", { keyPath: "id" });
  db.createObjectStore("drafts", { keyPath: "id" }).createIndex("updatedAt", "updatedAt");
  db.createObjectStore("attachments", { keyPath: ["attachmentId", "index"] }).createIndex("at", "at");
  db.createObjectStore("templates", { keyPath: "id" });
  db.createObjectStore("sendSettings", { keyPath: "id" });
}
