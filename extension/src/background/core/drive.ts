// The one step driver (core/src/machine.rs, ARCHITECTURE "One calling
// convention"): executes the step a core machine returns — a request, an
// operation of the mail helper, the sign-in window, a wait, a question — and
// feeds what happened back, until
// the machine says done or failed. It decides nothing: how many tries, how
// long to wait and what an answer means are the machine's.
import type { HttpRequest, Outcome } from "../io/http.js";
import type { HelperCall } from "./generated/HelperCall.js";
import type { Input as MachineInput } from "./generated/Input.js";
import type { Step as MachineStep } from "./generated/Step.js";
import { bridge, runHelperCall, type HelperInput } from "../io/bridge.js";
import { execute } from "../io/http.js";
import { signIn, type SignInOutcome } from "../io/identity.js";
import { sleep } from "../io/timers.js";

/** The core's `machine::Step<P, Q, R, E>` (generated), with the usual defaults. */
export type Step<P = unknown, Q = never, R = unknown, E = { code: string; message: string }> = MachineStep<P, Q, R, E>;

/** The core's `machine::Input<A>` (generated): what happened to the last step. */
export type Input<A = never> = MachineInput<A>;

/** A step the machine has finished with. */
export type Final<R, E> = Extract<Step<unknown, never, R, E>, { kind: "done" | "failed" }>;

/** How each kind of step is executed; the defaults are the worker's I/O modules. */
export interface Executors<P, Q, A> {
  /** May answer instead of fetching (e.g. `notAllowed` for a host the user did not allow). */
  http?: (request: HttpRequest, purpose: P) => Promise<Outcome | { kind: "answer"; answer: A }>;
  /** Sends an operation to the mail helper (the worker's one bridge by default). */
  helper?: (call: HelperCall, purpose: P) => Promise<HelperInput>;
  authFlow?: (url: string, interactive: boolean) => Promise<SignInOutcome>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Answers the machine's question; a machine that asks needs it. */
  ask?: (question: Q) => Promise<A>;
  /** Sees every step before it runs (progress for the pages). */
  onStep?: (step: Step<P, Q, unknown, unknown>) => void | Promise<void>;
}

/** Runs one non-final step and returns the machine's input for it. */
export async function perform<P, Q, A>(step: Step<P, Q, unknown, unknown>, run: Executors<P, Q, A> = {}): Promise<Input<A>> {
  switch (step.kind) {
    case "http":
      return (run.http ?? ((request) => execute(request)))(step.request, step.purpose);
    case "helper":
      return (run.helper ?? ((call) => runHelperCall(bridge(), call)))(step.call, step.purpose);
    case "authFlow":
      return (run.authFlow ?? signIn)(step.url, step.interactive);
    case "wait":
      await (run.sleep ?? sleep)(step.untilMs - (run.now ?? Date.now)());
      return { kind: "timer" };
    case "ask":
      if (!run.ask) throw new Error("the machine asked a question and nobody can answer it");
      return { kind: "answer", answer: await run.ask(step.question) };
    case "done":
    case "failed":
      throw new Error(`no input for a finished machine (${step.kind})`);
  }
}

/** Where a drive stopped before the machine's end (`driveUntil`). */
export type Stopped<P, Q, T> =
  /** At `step`, which the shell can't finish alone (`why`); the machine waits for a later message. */
  | { kind: "paused"; step: Step<P, Q, unknown, unknown>; why: T }
  /** The caller gave the machine up meanwhile (its handle may be freed): nothing more was fed to it. */
  | { kind: "abandoned" };

/** When a drive stops before the machine's end. */
export interface Stops<P, Q, T> {
  /**
   * Before a step runs: why the shell can't finish it alone right now (the
   * browser's permission for a host, the user's consent asked in a page), or
   * undefined to run it. The machine is not resumed; the caller continues
   * with `driveUntil(step, …)` or resumes it from the next message.
   */
  pauseAt(step: Step<P, Q, unknown, unknown>): Promise<T | undefined>;
  /** False once the caller gave the machine up (cancelled or replaced); asked after every await. */
  wanted(): boolean;
}

/**
 * Drives a machine from `first` until it ends or `stops` stops it: a step the
 * shell can't finish within this call pauses the drive, and the caller picks
 * it up from a later message. Decides nothing either: the rules stop, they
 * don't answer for the machine.
 */
export async function driveUntil<P, Q, A, R, E, T>(
  first: Step<P, Q, R, E>,
  resume: (input: Input<A>) => Step<P, Q, R, E> | Promise<Step<P, Q, R, E>>,
  stops: Stops<P, Q, T>,
  run: Executors<P, Q, A> = {},
): Promise<Final<R, E> | Stopped<P, Q, T>> {
  let step = first;
  for (;;) {
    if (step.kind === "done" || step.kind === "failed") return step as Final<R, E>;
    const why = await stops.pauseAt(step);
    if (!stops.wanted()) return { kind: "abandoned" };
    if (why !== undefined) return { kind: "paused", step, why };
    await run.onStep?.(step);
    const input = await perform(step, run);
    if (!stops.wanted()) return { kind: "abandoned" };
    step = await resume(input);
  }
}

/**
 * Drives a machine from `first` to its final step: `resume` is the binding's
 * resume call (it keeps the machine value and passes the time and random bytes).
 */
export async function drive<P, Q, A, R, E>(
  first: Step<P, Q, R, E>,
  resume: (input: Input<A>) => Step<P, Q, R, E> | Promise<Step<P, Q, R, E>>,
  run: Executors<P, Q, A> = {},
): Promise<Final<R, E>> {
  let step = first;
  for (;;) {
    if (step.kind === "done" || step.kind === "failed") return step as Final<R, E>;
    await run.onStep?.(step);
    step = await resume(await perform(step, run));
  }
}
