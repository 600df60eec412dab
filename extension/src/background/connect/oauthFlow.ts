// Runs the core's connect flow (a machine, core/src/connect/flow.rs) with the
// step driver: the provider's sign-in window, an HTTP request, a wait, until
// the core says done or failed. A flow lives only in this worker's memory (its
// state holds the PKCE verifier); a cancel, or a restarted worker
// (inboxState.recoverInterrupted), restores the inbox's previous state.
import type { ConnectionState } from "../../shared/inboxes.js";
import type { Connected, ConnectedAccount, ConnectInput, ConnectPurpose, CoreApi, CoreError, FlowResult, TokenState } from "../core/types.js";
import { drive } from "../core/drive.js";
import { momentBytes } from "../io/random.js";
import { keyOf } from "../state/store.js";

export type FlowEnd =
  | { kind: "connected"; account: ConnectedAccount; tokens: TokenState; accountState: ConnectionState }
  | { kind: "failed"; code: string; message: string; accountState: ConnectionState };

interface Running {
  flow: unknown;
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
  const me: Running = { flow: null, cancelled: false, onState };
  running.set(key, me);
  let result: FlowResult = core.connectStart(input, Date.now(), momentBytes());
  try {
    const keep = async (next: FlowResult) => {
      result = next;
      me.flow = next.flow;
      await onState(next.accountState);
      return next.step;
    };
    const end = await drive<ConnectPurpose, never, never, Connected, CoreError>(await keep(result), async (input) => {
      // A cancel while the step ran wins; its outcome (e.g. a late redirect) is dropped.
      if (me.cancelled) return keep(core.connectCancel(me.flow));
      return keep(core.connectResume(me.flow, input, Date.now(), momentBytes()));
    });
    if (end.kind === "done") {
      return { kind: "connected", account: end.result.account, tokens: end.result.tokens, accountState: result.accountState };
    }
    return { kind: "failed", ...end.error, accountState: result.accountState };
  } finally {
    running.delete(key);
  }
}

/**
 * Cancels the flow for `address`: its state goes back at once to what it was
 * before; the running loop notices and ends without using a late result.
 */
export async function cancel(core: CoreApi, address: string): Promise<boolean> {
  const me = running.get(keyOf(address));
  if (!me || me.flow === null) return false;
  me.cancelled = true;
  await me.onState(core.connectCancel(me.flow).accountState);
  return true;
}
