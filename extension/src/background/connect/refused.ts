// The worker's own refusals (an unknown inbox, a flow already running, …)
// in the core's words (core/src/connect/refusal.rs), as the error the pages get.
import { InlayError } from "../../shared/messages.js";
import type { CoreApi, Refusal } from "../core/types.js";

export function refused(core: CoreApi, refusal: Refusal): InlayError {
  const { code, message } = core.refusal(refusal);
  return new InlayError(code, message);
}
