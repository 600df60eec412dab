// The send module (inlay_send: the outbox machine and compose), loaded by
// core/loader.ts on the first send request or outbox alarm that needs it,
// never at wake-up, and adapted to what the shell calls (binding.ts).
import { loadSend } from "../core/loader.js";
import type { SendBinding } from "../core/types.js";
import type { SendCore } from "./binding.js";

/** `binding` as sending's shell calls it. */
export function sendCoreOf(b: SendBinding): SendCore {
  return {
    compose: (input, nowMs, random) => b.composeEmail(input, nowMs, random),
    sanitizeHtml: (html) => b.sanitizeHtml(html),
    outboxCreate: (request) => b.outboxCreate(request),
    machine: (json, mime, transmitted) => new b.OutboxMachine(json, mime, transmitted ?? undefined),
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
