// What the worker's sending calls in the core (the send module, inlay_send:
// the outbox machine of core/src/outbox and compose of core/src/send), as
// the shell uses it. Only types and small readers of the core's view: the
// entry itself is a JSON string the shell stores and hands back, never reads.
import type { Step } from "../core/drive.js";

/** An outbox entry as the core serialised it: opaque to the shell. */
export type EntryJson = string;

/** Where an email stands, as the core's view names it (core/src/outbox). */
export type OutboxState =
  | { kind: "scheduled"; at: number }
  | { kind: "queued" }
  | { kind: "sending" }
  | { kind: "sent"; at: number; providerId?: string | null; threadId?: string | null }
  | { kind: "retryWait"; until: number; attempt: number; message?: string | null }
  | { kind: "failed"; code: string; message: string }
  | { kind: "unknown"; message?: string | null; until?: number | null }
  | { kind: "checking" }
  | { kind: "needsUser"; message: string }
  | { kind: "handedOver"; deliverAt: number }
  | { kind: "cancelled" };

/** The small view the core derives from an entry, for lists and for the shell's decisions. */
export interface OutboxView {
  state: OutboxState;
  /** The call about to be made may deliver: the state must be on disk before it leaves. */
  delivering?: boolean;
  /** When the entry next needs the worker (a due time, a retry, a lookup); none: it needs nobody. */
  wakeAt?: number | null;
  /** It went out later than scheduled (the browser was closed): the user is told. */
  late?: boolean;
}

/** The machine's question: a secret for the inbox (a fresh one when `rejected`). */
export interface SecretQuestion {
  secret: { rejected?: string | null };
}

/** The worker's answer: the secret, or why there is none (in the token keeper's words). */
export type SecretAnswer =
  | { kind: "bearer"; token: string }
  | { kind: "password"; username: string; password: string }
  | { kind: "unavailable"; reason: "reauthenticate" | "disconnected" | "later"; message: string };

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

/** A scheduled email's time, read against the user's rule for late sends. */
export type Due = "notYet" | "now" | "late" | "hold";

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
  outboxCreate(request: unknown): EntryJson;
  machine(json: EntryJson, mime: Uint8Array, transmitted: Uint8Array | null): OutboxMachine;
  outboxView(json: EntryJson): OutboxView;
  outboxCancel(json: EntryJson, nowMs: number): EntryJson;
  outboxReschedule(json: EntryJson, atMs: number): EntryJson;
  outboxMarkSent(json: EntryJson): EntryJson;
  outboxSendAgain(json: EntryJson): EntryJson;
  outboxDue(json: EntryJson, nowMs: number, policy: "sendLate" | "holdForReview"): Due;
}

/** States the outbox is done with: nothing will happen to them without the user. */
export function isSettled(state: OutboxState): boolean {
  return ["sent", "failed", "cancelled", "handedOver", "needsUser"].includes(state.kind);
}

/**
 * When an entry next needs the worker: the view's own time, else what its
 * state implies (a queued or interrupted send, a lookup to make: now).
 */
export function wakeOf(view: OutboxView, nowMs: number): number | null {
  if (view.wakeAt !== undefined) return view.wakeAt;
  const s = view.state;
  switch (s.kind) {
    case "scheduled":
      return s.at;
    case "retryWait":
      return s.until;
    case "unknown":
      return s.until ?? nowMs;
    case "queued":
    case "sending":
    case "checking":
      return nowMs;
    default:
      return null;
  }
}

/** Whether the call the machine is about to make may deliver the email. */
export function isDelivering(view: OutboxView): boolean {
  return view.delivering ?? view.state.kind === "sending";
}
