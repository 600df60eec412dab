// The send module (inlay_send: the outbox machine and compose), loaded on
// the first send request or outbox alarm, never at wake-up. Until the build
// has the module, sending answers in words that it is not available.
import { InlayError } from "../../shared/messages.js";
import type { SendCore } from "./binding.js";

let provide: (() => Promise<SendCore>) | undefined;
let loading: Promise<SendCore> | undefined;

/** Sets how the module is loaded (core/loader.ts once the build has it; a fake in tests). */
export function provideSendCore(load: () => Promise<SendCore>): void {
  provide = load;
  loading = undefined;
}

/** The send module; a failed load is tried again on the next request. */
export function sendCore(): Promise<SendCore> {
  if (!provide) return Promise.reject(new InlayError("sendUnavailable", "Sending email is not available in this version of Inlay yet."));
  loading ??= provide().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
