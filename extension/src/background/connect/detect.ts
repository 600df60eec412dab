// Before a connect: which provider an address belongs to (the core reads the
// address and, when it needs to, one DNS lookup it plans), and what a
// connection will be allowed to do (the core's disclosure).
import type { ConnectionKind, Detection, Disclosure } from "../../shared/inboxes.js";
import type { CoreApi } from "../core/types.js";
import { execute } from "../io/http.js";

export async function detect(core: CoreApi, address: string): Promise<Detection> {
  const step = core.detectStart(address);
  if (step.kind === "done") return step.detection;
  return core.detectFinish(address, await execute(step.request));
}

export function disclosure(core: CoreApi, provider: ConnectionKind, automation: boolean): Disclosure {
  return core.disclosure(provider);
}
