// What the worker's sending calls in the core (the send module, inlay_send:
// the outbox machine of core/src/outbox and compose of core/src/send), as
// the shell uses it. Only types and small readers of the core's view: the
// entry itself is a JSON string the shell stores and hands back, never reads.
import type { Step } from "../core/drive.js";

/** An outbox entry as the core serialised it: opaque to the shell. */
export type EntryJson = string;

/** Where an email stands (core/src/outbox/entry.rs `OutboxState`). */
export type OutboxState =
  | { kind: "scheduled"; atMs: number }
  | { kind: "held"; atMs: number; lateByMs: number }
  | { kind: "queued" }
  | { kind: "sending"; sinceMs: number }
  | { kind: "retryWait"; untilMs: number; attempt: number; reason: string }
  | { kind: "unknown"; message: string; lookups: number; notBeforeMs: number }
  | { kind: "checking"; lookups: number }
  | { kind: "sent"; atMs: number; providerId: string | null; threadId: string | null; byUser?: boolean }
  | { kind: "handedOver"; deliverAtMs: number; providerId: string | null }
  | { kind: "needsUser"; message: string }
  | { kind: "failed"; code: string; message: string }
  | { kind: "cancelled"; atMs: number };

/** What lists and the shell read of an entry (core/src/outbox/view.rs `OutboxView`). */
export interface OutboxView {
  id: string;
  messageId: string;
  subject: string;
  recipients: string[];
  state: OutboxState;
  /** The state in the core's words. */
  words: string;
  /** When the entry next needs the worker (its time, a retry, a lookup); null when nothing is planned. */
  wakeAtMs: number | null;
  /** A delivering call may be under way: the state must be on disk before a step runs. */
  sending: boolean;
  /** Nothing more happens without the user. */
  settled: boolean;
  scheduledAtMs: number | null;
  lateByMs: number | null;
  createdAtMs: number;
}

/** The machine's question: the inbox's secret (a fresh one when the last was `rejected`). */
export interface SecretQuestion {
  secret: { rejected: boolean };
}

/** The worker's answer: the secret, or why there is none (core `outbox::SecretAnswer`). */
export type SecretAnswer =
  | { kind: "bearer"; token: string }
  | { kind: "password"; username: string; password: string }
  | { kind: "unavailable"; reason: "reauthenticate" | "disconnected"; message: string };

/** One call of the machine: its step, the state to persist, and its view. */
export interface Turn {
  step: Step<unknown, SecretQuestion, unknown>;
  state: EntryJson;
  view: OutboxView;
}

/** The outbox machine over one entry (a handle inside the module; freed after each drive). */
export interface OutboxMachine {
  start(nowMs: number, random: Uint8Array): Turn;
  resume(input: unknown, nowMs: number, random: Uint8Array): Turn;
  free(): void;
}

/** What to do with an entry now (core `outbox::Due`). */
export type Due = { kind: "run" } | { kind: "at"; atMs: number; reason: string } | { kind: "hold"; lateByMs: number } | { kind: "idle" };

/** The user's late rule and the inbox's recent sends, for the core's due check and rate limits. */
export interface DuePolicy {
  late: "sendLate" | "holdForReview";
  sentAtMs: number[];
}

/** What compose made of a draft (core/src/send/compose.rs). */
export interface Composed {
  messageId: string;
  mime: Uint8Array;
  transmitted?: Uint8Array | null;
  subject: string;
  text: string;
  html: string;
  recipients: string[];
  envelopeFrom: string;
  sizeBytes: number;
}

/** The send module's functions the worker calls. */
export interface SendCore {
  compose(input: unknown, nowMs: number, random: Uint8Array): Composed;
  /** The editor's HTML as the core keeps it (ammonia): what drafts, templates and signatures store. */
  sanitizeHtml(html: string): string;
  outboxCreate(request: unknown): EntryJson;
  machine(json: EntryJson, mime: Uint8Array, transmitted: Uint8Array | null): OutboxMachine;
  outboxView(json: EntryJson): OutboxView;
  outboxCancel(json: EntryJson, nowMs: number): EntryJson;
  outboxReschedule(json: EntryJson, atMs: number): EntryJson;
  outboxMarkSent(json: EntryJson): EntryJson;
  outboxSendAgain(json: EntryJson): EntryJson;
  /** The entry may change (marked late, or held): `json` is it afterwards. */
  outboxDue(json: EntryJson, nowMs: number, policy: DuePolicy): { due: Due; json: EntryJson };
}

/**
 * When an entry next needs the worker: a time the due check named (a rate
 * limit's slot), else the view's, else now for one the machine is in the
 * middle of (queued, or interrupted mid-send or mid-lookup).
 */
export function wakeOf(view: OutboxView, dueAtMs: number | null | undefined, nowMs: number): number | null {
  if (dueAtMs != null) return dueAtMs;
  if (view.wakeAtMs !== null) return view.wakeAtMs;
  return ["queued", "sending", "checking"].includes(view.state.kind) ? nowMs : null;
}
