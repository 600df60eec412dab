// Runs the core's connect flow (a machine, core/src/connect/flow.rs) with the
// step driver: the provider's sign-in window, an HTTP request, a wait, until
// the core says done or failed. A flow lives only in this worker's memory, as a
// handle whose state (with the PKCE verifier) stays inside the wasm module; a
// cancel, or a restarted worker (inboxState.recoverInterrupted), restores the
// inbox's previous state.
import type { ConnectionState } from "../../shared/inboxes.js";
import type { Connected, ConnectedAccount, ConnectInput, ConnectMachine, ConnectPurpose, CoreApi, CoreError, FlowResult, TokenState } from "../core/types.js";
import { drive } from "../core/drive.js";
import { momentBytes } from "../io/random.js";
import { keyOf } from "../state/store.js";

export type FlowEnd =
  | { kind: "connected"; account: ConnectedAccount; tokens: TokenState; accountState: ConnectionState }
  /** The core's error: its code, its sentence, and `cancelled` when the person ended it. */
  | ({ kind: "failed"; accountState: ConnectionState } & CoreError);

interface Running {
  flow: ConnectMachine;
  cancelled: boolean;
  /** Called with each new account state, so the UI can show progress. */
  onState: (state: ConnectionState) => Promise<void>;
}

const running = new Map<string, Running>();

/** Starts the connect machine for `input` and drives it to its end. Only one flow per address at a time. */
export async function run(core: CoreApi, input: ConnectInput, onState: (state: ConnectionState) => Promise<void>): Promise<FlowEnd> {
  const key = keyOf(input.address);
  if (running.has(key)) {
    return { kind: "failed", ...core.refusal({ kind: "busy", address: input.address }), accountState: input.previousState };
  }
  const me: Running = { flow: new core.ConnectMachine(input), cancelled: false, onState };
  running.set(key, me);
  try {
    let result: FlowResult = me.flow.start(Date.now(), momentBytes());
    const keep = async (next: FlowResult) => {
      result = next;
      await onState(next.accountState);
      return next.step;
    };
    const end = await drive<ConnectPurpose, never, never, Connected, CoreError>(await keep(result), async (input) => {
      // A cancel while the step ran wins; its outcome (e.g. a late redirect) is dropped.
      if (me.cancelled) return keep(me.flow.cancel());
      return keep(me.flow.resume(input, Date.now(), momentBytes()));
    });
    if (end.kind === "done") {
      return { kind: "connected", account: end.result.account, tokens: end.result.tokens, accountState: result.accountState };
    }
    return { kind: "failed", ...end.error, accountState: result.accountState };
  } finally {
    running.delete(key);
    me.flow.free();
  }
}

/**
 * Cancels the flow for `address`: its state goes back at once to what it was
 * before; the running loop notices and ends without using a late result.
 */
export async function cancel(address: string): Promise<boolean> {
  const me = running.get(keyOf(address));
  if (!me) return false;
  me.cancelled = true;
  await me.onState(me.flow.cancel().accountState);
  return true;
}
