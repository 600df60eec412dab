// Before a connect: which provider an address belongs to (the core reads the
// address and, when it needs to, one DNS lookup it plans), and what a
// connection will be allowed to do (the core's disclosure).
import type { ConnectionKind, Detection, Disclosure } from "../../shared/inboxes.js";
import { drive, type Input as MachineInput } from "../core/drive.js";
import type { CoreApi } from "../core/types.js";
import { momentBytes } from "../io/random.js";
import { InlayError } from "../../shared/messages.js";

/** The core's detection, run by the step driver; an invalid address is thrown in the core's words. */
export async function detect(core: CoreApi, address: string): Promise<Detection> {
  // Its state stays inside the module (a handle), freed once driven.
  const detector = new core.DetectMachine(address);
  let end;
  try {
    end = await drive(detector.start(Date.now(), momentBytes()), (input: MachineInput<never>) => detector.resume(input, Date.now(), momentBytes()));
  } finally {
    detector.free();
  }
  if (end.kind === "failed") throw new InlayError(end.error.code, end.error.message);
  return end.result;
}

export function disclosure(core: CoreApi, provider: ConnectionKind, automation: boolean): Disclosure {
  return core.disclosure(provider);
}
