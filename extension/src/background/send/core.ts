// The send module (inlay_send: the outbox machine), loaded by core/loader.ts
// on the first send request or outbox alarm that needs it, never at
// wake-up; the compose module (inlay_compose: compose, sanitising) only
// where an email is composed or HTML stored. Both adapted to what the shell
// calls (binding.ts).
import { loadCompose, loadSend } from "../core/loader.js";
import type { ComposeBinding, SendBinding } from "../core/types.js";
import type { ComposeCore, SendCore } from "./binding.js";

/** `binding` as sending's shell calls it. */
export function sendCoreOf(b: SendBinding): SendCore {
  return {
    outboxCreate: (request) => b.outboxCreate(request),
    machine: (json, mime, transmitted, lookupGraceMs) => new b.OutboxMachine(json, mime, transmitted ?? undefined, lookupGraceMs),
    outboxView: (json) => b.outboxView(json),
    outboxCancel: (json, nowMs) => b.outboxCancel(json, nowMs),
    outboxReschedule: (json, atMs) => b.outboxReschedule(json, atMs),
    outboxMarkSent: (json) => b.outboxMarkSent(json),
    outboxSendAgain: (json) => b.outboxSendAgain(json),
    outboxDue: (json, nowMs, policy) => b.outboxDue(json, nowMs, policy),
  };
}

let provide: () => Promise<SendCore> = () => loadSend().then(sendCoreOf);
let loading: Promise<SendCore> | undefined;

/** Replaces how the module is loaded (tests). */
export function provideSendCore(load: () => Promise<SendCore>): void {
  provide = load;
  loading = undefined;
}

/** The send module; a failed load is tried again on the next request. */
export function sendCore(): Promise<SendCore> {
  loading ??= provide().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** `binding` as composing's shell calls it. */
export function composeCoreOf(b: ComposeBinding): ComposeCore {
  return {
    compose: (input, nowMs, random) => b.composeEmail(input, nowMs, random),
    sanitizeHtml: (html) => b.sanitizeHtml(html),
    replyOf: (entry, own) => b.replyOf(entry, own),
  };
}

let provideCompose: () => Promise<ComposeCore> = () => loadCompose().then(composeCoreOf);
let composeLoading: Promise<ComposeCore> | undefined;

/** Replaces how the compose module is loaded (tests). */
export function provideComposeCore(load: () => Promise<ComposeCore>): void {
  provideCompose = load;
  composeLoading = undefined;
}

/** The compose module; a failed load is tried again on the next request. */
export function composeCore(): Promise<ComposeCore> {
  composeLoading ??= provideCompose().catch((e: unknown) => {
    composeLoading = undefined;
    throw e;
  });
  return composeLoading;
}
