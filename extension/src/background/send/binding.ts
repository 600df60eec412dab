// What the worker's sending calls in the core (the send module, inlay_send:
// the outbox machine of core/src/outbox; the compose module, inlay_compose:
// compose of core/src/send), as
// the shell uses it (send/core.ts adapts the module to it). The types are
// the core's, generated; the entry itself is a JSON string the shell stores
// and hands back, never reads.
import type { ComposeInput } from "../core/generated/ComposeInput.js";
import type { Composed } from "../core/generated/Composed.js";
import type { Due } from "../core/generated/Due.js";
import type { DuePolicy } from "../core/generated/DuePolicy.js";
import type { NewEmail } from "../core/generated/NewEmail.js";
import type { OutboxQuestion } from "../core/generated/OutboxQuestion.js";
import type { OutboxState } from "../core/generated/OutboxState.js";
import type { OutboxView } from "../core/generated/OutboxView.js";
import type { ReplyDraft } from "../core/generated/ReplyDraft.js";
import type { TimelineEntry } from "../core/generated/TimelineEntry.js";
import type { SecretAnswer } from "../core/generated/SecretAnswer.js";
import type { SendTarget } from "../core/generated/SendTarget.js";
import type { OutboxEntryJson, OutboxMachineHandle, OutboxTurn } from "../core/types.js";

export type { ComposeInput, Composed, Due, DuePolicy, NewEmail, OutboxState, OutboxView, ReplyDraft, SecretAnswer, SendTarget };

/** An outbox entry as the core serialised it: opaque to the shell. */
export type EntryJson = OutboxEntryJson;

/** The machine's question: the inbox's secret (a fresh one when the last was `rejected`). */
export type SecretQuestion = OutboxQuestion;

/** One call of the machine: its step, the state to persist before running it, and its view. */
export type Turn = OutboxTurn;

/** The outbox machine over one entry (a handle inside the module; freed after each drive). */
export type OutboxMachine = OutboxMachineHandle;

/** The compose module's functions the worker calls (inlay_compose: never read on an outbox alarm). */
export interface ComposeCore {
  /** Throws `{code, message, token?, field?}` in words (a token with no value, a limit, header injection). */
  compose(input: ComposeInput, nowMs: number, random: Uint8Array): Composed;
  /** The editor's HTML as the core keeps it (ammonia): what drafts, templates and signatures store. */
  sanitizeHtml(html: string): string;
  /** The compose dialog's start for a reply to `entry` (core send::reply); null for an entry with no Message-ID. */
  replyOf(entry: TimelineEntry, own: string[]): ReplyDraft | null;
}

/** The send module's functions the worker calls. */
export interface SendCore {
  outboxCreate(request: NewEmail<SendTarget>): EntryJson;
  /** `lookupGraceMs`: the build's wait before a Sent lookup (the settings' `outbox`); the core's 2 minutes without it. */
  machine(json: EntryJson, mime: Uint8Array, transmitted: Uint8Array | null, lookupGraceMs?: number): OutboxMachine;
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
 * middle of (queued, or interrupted mid-send, mid-lookup or mid-cancel).
 */
export function wakeOf(view: OutboxView, dueAtMs: number | null | undefined, nowMs: number): number | null {
  if (dueAtMs != null) return dueAtMs;
  if (view.wakeAtMs !== null) return view.wakeAtMs;
  return ["queued", "sending", "checking", "cancelling"].includes(view.state.kind) ? nowMs : null;
}
