// Runs the core's connect flow: performs each step it plans (the provider's
// sign-in window, an HTTP request, a wait) and feeds the result back, until
// the core says connected or failed. A flow lives only in this worker's
// memory (its state holds the PKCE verifier); a cancel, or a restarted
// worker (inboxState.recoverInterrupted), restores the inbox's previous state.
import type { ConnectionState } from "../../shared/inboxes.js";
import { CANCELLED } from "../../shared/messages.js";
import type { ConnectedAccount, CoreApi, FlowInput, FlowResult, TokenState } from "../core/types.js";
import { execute } from "../io/http.js";
import { signIn } from "../io/identity.js";
import { jitter } from "../io/random.js";
import { sleep } from "../io/timers.js";
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

async function perform(result: FlowResult): Promise<FlowInput> {
  const { step } = result;
  switch (step.kind) {
    case "launchAuthFlow":
      return signIn(step.url, step.interactive);
    case "http":
      return execute(step.request);
    case "wait":
      await sleep(step.untilMs - Date.now());
      return { kind: "timer" };
    case "connected":
    case "failed":
      throw new Error(`no input for a finished flow (${step.kind})`);
  }
}

/** Drives a started flow to its end. Only one flow per address at a time. */
export async function run(
  core: CoreApi,
  address: string,
  started: FlowResult,
  onState: (state: ConnectionState) => Promise<void>,
): Promise<FlowEnd> {
  const key = keyOf(address);
  if (running.has(key)) {
    return { kind: "failed", code: "busy", message: `${address} is already being connected.`, accountState: started.accountState };
  }
  const me: Running = { flow: started.flow, cancelled: false, onState };
  running.set(key, me);
  let result = started;
  try {
    for (;;) {
      me.flow = result.flow;
      await onState(result.accountState);
      const { step } = result;
      if (step.kind === "connected") {
        return { kind: "connected", account: step.account, tokens: step.tokens, accountState: result.accountState };
      }
      if (step.kind === "failed") return { kind: "failed", ...step.error, accountState: result.accountState };
      const input = await perform(result);
      // A cancel while the step ran wins; its outcome (e.g. a late redirect) is dropped.
      if (me.cancelled) {
        const cancelled = core.connectCancel(me.flow);
        const error = cancelled.step.kind === "failed" ? cancelled.step.error : CANCELLED;
        return { kind: "failed", ...error, accountState: cancelled.accountState };
      }
      result = core.connectResume(result.flow, input, Date.now(), jitter());
    }
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
  if (!me) return false;
  me.cancelled = true;
  await me.onState(core.connectCancel(me.flow).accountState);
  return true;
}
