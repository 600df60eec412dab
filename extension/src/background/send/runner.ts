// Runs one outbox entry: drives the core's outbox machine with the step
// driver, committing every state it returns BEFORE the step that state
// leads to runs. So a worker stopped while a delivering call is out finds
// the entry in `sending` on restart, which the core reads as "may have been
// sent" and answers with a lookup in Sent, never a second send. The machine
// decides everything (tries, waits, lookups, what an answer means); this
// file moves bytes and answers the machine's one question, the inbox's
// secret, which never leaves the worker and is never stored in the entry.
import type { IDBPDatabase } from "idb";
import { perform, type Executors } from "../core/drive.js";
import type { SecretAnswer, SendCore, Turn } from "./binding.js";
import type { OutboxRow } from "./schema.js";
import * as store from "./store.js";

/** A wait the worker sleeps through; a longer one ends the drive and the alarm resumes it. */
export const SHORT_WAIT_MS = 20_000;
const DAY_MS = 86_400_000;

export interface RunnerDeps {
  db(): Promise<IDBPDatabase<unknown>>;
  core(): Promise<SendCore>;
  /**
   * The inbox's secret for the machine (token keeper or password store);
   * `rejected`: the token it refused. `later`: none for now (the provider's
   * sign-in is down): the drive stops and the entry waits until then.
   */
  secret(inbox: string, rejected: string | null): Promise<SecretAnswer | SecretLater>;
  now(): number;
  random(): Uint8Array;
  /** Executors for http and helper steps (the worker's io/ by default). */
  run?: Omit<Executors<unknown, import("./binding.js").SecretQuestion, SecretAnswer>, "ask" | "now">;
  /** After the drive: the entry as stored (the CRM logs a sent email, pages are told). */
  settled?(row: OutboxRow): Promise<void>;
  /** The user's rule for a scheduled email whose time passed while the browser was closed. */
  latePolicy(): Promise<"sendLate" | "holdForReview">;
  /** Before a drive, so a worker stopped in it is woken again to finish. */
  guard?(atMs: number): Promise<void>;
  /** The build's wait before a Sent lookup (config.json's `outbox`, read by the core); the core's default without it. */
  lookupGraceMs?(): Promise<number | undefined>;
}

/** No secret for now; ask again at `atMs`. */
export interface SecretLater {
  kind: "later";
  atMs: number;
  message: string;
}

class Later extends Error {
  constructor(readonly later: SecretLater) {
    super(later.message);
  }
}

// One drive per entry at a time in this worker (an alarm and a page may ask together).
const running = new Set<string>();

/** Whether an entry is being driven now (the page shows it as working). */
export function isRunning(id: string): boolean {
  return running.has(id);
}

/**
 * Drives entry `id` until it ends, waits longer than SHORT_WAIT_MS, or
 * needs the user. Returns the stored row afterwards (undefined: no such
 * entry, or another drive of it is under way).
 */
export async function runEntry(deps: RunnerDeps, id: string): Promise<OutboxRow | undefined> {
  if (running.has(id)) return undefined;
  running.add(id);
  try {
    const db = await deps.db();
    const [row, blob] = await Promise.all([store.getEntry(db, id), store.getBlob(db, id)]);
    if (!row || !blob) return row;
    const core = await deps.core();
    // Whether it goes now is the core's: its time, the late rule, the inbox's rate limits.
    const since = deps.now() - DAY_MS;
    const policy = { late: await deps.latePolicy(), sentAtMs: await store.sentSince(db, row.inbox, since) };
    const { due, json } = core.outboxDue(row.json, deps.now(), policy);
    if (due.kind !== "run") {
      if (due.kind === "idle" && json === row.json) return row;
      const dueAt = due.kind === "at" ? { atMs: due.atMs, reason: due.reason } : null;
      return store.commit(db, id, json, core.outboxView(json), deps.now(), { dueAt });
    }
    await deps.guard?.(deps.now());
    const machine = core.machine(json, blob.mime, blob.transmitted, await deps.lookupGraceMs?.());
    // The last token handed out in this drive: the one to report when the machine says it was refused.
    let lastToken: string | null = null;
    let stored = row;
    try {
      let turn: Turn = machine.start(deps.now(), deps.random());
      for (;;) {
        // On disk before anything the step does: the delivering call included.
        stored = await store.commit(db, id, turn.state, turn.view, deps.now(), { dueAt: null });
        const step = turn.step;
        if (step.kind === "done" || step.kind === "failed") break;
        if (step.kind === "wait" && step.untilMs - deps.now() > SHORT_WAIT_MS) break;
        const input = await perform(step, {
          ...deps.run,
          now: deps.now,
          ask: async (question) => {
            const answer = await deps.secret(row.inbox, question.secret.rejected ? lastToken : null);
            if (answer.kind === "later") throw new Later(answer);
            lastToken = answer.kind === "bearer" ? answer.token : null;
            return answer;
          },
        });
        turn = machine.resume(input, deps.now(), deps.random());
      }
    } catch (e) {
      // Asked before a call, so the stored state is the one before it: it waits, nothing left.
      if (!(e instanceof Later)) throw e;
      stored = await store.commit(db, id, stored.json, stored.view, deps.now(), { dueAt: { atMs: e.later.atMs, reason: e.later.message } });
    } finally {
      machine.free();
    }
    await deps.settled?.(stored);
    return stored;
  } finally {
    running.delete(id);
  }
}

/** Drives every entry whose wake time has come, one after another (per-inbox rates are the core's). */
export async function runDue(deps: RunnerDeps): Promise<OutboxRow[]> {
  const db = await deps.db();
  const done: OutboxRow[] = [];
  for (const id of await store.dueIds(db, deps.now())) {
    const row = await runEntry(deps, id).catch(() => undefined);
    if (row) done.push(row);
  }
  return done;
}
