// The outbox runner against a stand-in outbox machine (the shape of
// core/src/outbox's binding): what is on disk when each call leaves, a
// worker stopped with the delivering call out, long waits left to the
// alarm, scheduled emails read against the late rule, the secret kept out
// of storage. fake-indexeddb; the stores as send/schema.ts creates them.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDB, type IDBPDatabase } from "idb";
import type { HttpRequest } from "../io/http.js";
import type { Due, OutboxMachine, OutboxState, OutboxView, SendCore, Turn } from "./binding.js";
import { runDue, runEntry, SHORT_WAIT_MS, type RunnerDeps } from "./runner.js";
import { upgradeSend, type OutboxRow } from "./schema.js";
import * as store from "./store.js";

let n = 0;
async function freshDb(): Promise<IDBPDatabase<unknown>> {
  return openDB(`send-runner-${n++}`, 4, { upgrade: (db, old) => upgradeSend(db as IDBPDatabase<unknown>, old) });
}

type S = { s: "scheduled"; at: number } | { s: "held"; at: number } | { s: "queued" } | { s: "sending" } | { s: "checking" } | { s: "retryWait"; until: number } | { s: "sent" };

const stateOf = (st: S): OutboxState => {
  switch (st.s) {
    case "scheduled":
      return { kind: "scheduled", atMs: st.at };
    case "held":
      return { kind: "held", atMs: st.at, lateByMs: 1 };
    case "retryWait":
      return { kind: "retryWait", untilMs: st.until, attempt: 1, reason: "The server was busy." };
    case "sent":
      return { kind: "sent", atMs: 1, providerId: null, threadId: null, byUser: false };
    case "sending":
      return { kind: "sending", sinceMs: 1 };
    case "checking":
      return { kind: "checking", lookups: 0 };
    case "queued":
      return { kind: "queued" };
  }
};

/** A view as the core derives it (core/src/outbox/view.rs). */
const view = (st: S): OutboxView => {
  const state = stateOf(st);
  return {
    id: "ob",
    messageId: "<m@acme.example>",
    subject: "Hi",
    recipients: [],
    state,
    words: state.kind,
    wakeAtMs: st.s === "scheduled" ? st.at : st.s === "retryWait" ? st.until : null,
    sending: st.s === "sending",
    settled: st.s === "sent" || st.s === "held",
    scheduledAtMs: null,
    lateByMs: null,
    createdAtMs: 1,
  };
};

const req = (url: string): HttpRequest => ({ method: "POST", url, headers: [], body: null }) as unknown as HttpRequest;

/**
 * A small outbox machine: ask the secret, send (delivering), done; a
 * stored `sending` is read as unknown and looked up in Sent first; a 503
 * answer to the send means retry after `retryMs`.
 */
function fakeCore(opts: { retryMs?: number; due?: Due; held?: boolean } = {}): SendCore & { made: string[] } {
  const made: string[] = [];
  const machine = (json: string): OutboxMachine => {
    let st = JSON.parse(json) as S;
    const turn = (step: Turn["step"]): Turn => ({ step, state: JSON.stringify(st), view: view(st) });
    return {
      start(nowMs) {
        if (st.s === "sending") return (st = { s: "checking" }), turn({ kind: "http", request: req("https://mail/lookup"), purpose: "lookup" as const });
        if (st.s === "retryWait" && st.until > nowMs) return turn({ kind: "wait", untilMs: st.until, reason: "retry" } as Turn["step"]);
        st = { s: "queued" };
        return turn({ kind: "ask", question: { secret: { rejected: false } } });
      },
      resume(input: unknown) {
        const i = input as { kind: string; answer?: { kind: string; token?: string }; response?: { status: number } };
        if (i.kind === "answer" || i.kind === "timer") {
          if (i.answer) made.push(`${i.answer.kind}:${i.answer.token}`);
          st = { s: "sending" };
          return turn({ kind: "http", request: req("https://mail/send"), purpose: "deliver" as const });
        }
        if (st.s === "checking") {
          // Found in Sent: it was delivered.
          st = { s: "sent" };
          return turn({ kind: "done", result: stateOf(st) });
        }
        if (i.response?.status === 401) {
          st = { s: "queued" };
          return turn({ kind: "ask", question: { secret: { rejected: true } } });
        }
        if (i.response?.status === 503) {
          st = { s: "retryWait", until: Date.now() + (opts.retryMs ?? 0) };
          return turn({ kind: "wait", untilMs: st.until, reason: "retry" } as Turn["step"]);
        }
        st = { s: "sent" };
        return turn({ kind: "done", result: stateOf(st) });
      },
      free() {},
    };
  };
  return {
    made,
    outboxCreate: () => "",
    machine,
    outboxView: (json) => view(JSON.parse(json) as S),
    outboxCancel: (json) => json,
    outboxReschedule: (json) => json,
    outboxMarkSent: (json) => json,
    outboxSendAgain: (json) => json,
    // The core's due check may change the entry (held): here only when told to.
    outboxDue: (json, _now, policy) => {
      const due = opts.due ?? { kind: "run" };
      const st = JSON.parse(json) as S;
      if (due.kind === "hold" && st.s === "scheduled") {
        assert.equal(policy.late, "holdForReview");
        return { due, json: JSON.stringify({ s: "held", at: st.at }) };
      }
      return { due, json };
    },
  };
}

async function seed(db: IDBPDatabase<unknown>, id: string, st: S): Promise<void> {
  const row: OutboxRow = {
    id,
    json: JSON.stringify(st),
    view: { ...view(st), id },
    draft: { id: "dr_1", from: "me@acme.example", to: [], cc: [], bcc: [], subject: "Hi", html: "", attachments: [], signature: true },
    inbox: "me@acme.example",
    summary: { from: "me@acme.example", to: ["ann@client.example"], subject: "Hi", messageId: "<m@acme.example>" },
    createdAt: 1,
    updatedAt: 1,
  };
  await store.addEntry(db, row, { id, mime: new Uint8Array([1, 2, 3]), transmitted: null }, Date.now());
}

const SECRET = "ya29.secret-token-canary";

function deps(db: IDBPDatabase<unknown>, core: SendCore, http: (r: HttpRequest) => Promise<unknown>, extra: Partial<RunnerDeps> = {}): RunnerDeps {
  return {
    db: async () => db,
    core: async () => core,
    secret: async () => ({ kind: "bearer", token: SECRET }),
    now: Date.now,
    random: () => new Uint8Array(128),
    latePolicy: async () => "sendLate",
    run: { http: (request) => http(request) as never, sleep: async () => {} },
    ...extra,
  };
}

test("each state is on disk before its step runs: the delivering call leaves with `sending` stored", async () => {
  const db = await freshDb();
  await seed(db, "ob_a", { s: "queued" });
  const core = fakeCore();
  const seenAtCall: string[] = [];
  const end = await runEntry(
    deps(db, core, async (r) => {
      seenAtCall.push(`${r.url} with ${(await store.getEntry(db, "ob_a"))!.view.state.kind} stored`);
      return { kind: "response", response: { status: 200, headers: [], body: "" } };
    }),
    "ob_a",
  );
  assert.deepEqual(seenAtCall, ["https://mail/send with sending stored"]);
  assert.equal(end?.view.state.kind, "sent");
  assert.equal((await store.getEntry(db, "ob_a"))?.ixWake, undefined, "a sent email needs the worker no more");
  assert.deepEqual(core.made, [`bearer:${SECRET}`], "the secret went to the machine's call");
  const stored = JSON.stringify(await db.getAll("outbox"));
  assert.ok(!stored.includes(SECRET), "the secret is never stored");
});

test("a refused token: the keeper is told which one before it hands a fresh one", async () => {
  const db = await freshDb();
  await seed(db, "ob_t", { s: "queued" });
  const asked: (string | null)[] = [];
  let n = 0;
  const row = await runEntry(
    deps(db, fakeCore(), async () => ({ kind: "response", response: { status: n++ === 0 ? 401 : 200, headers: [], body: "" } }), {
      secret: async (_inbox, rejected) => (asked.push(rejected), { kind: "bearer", token: `token-${asked.length}` }),
    }),
    "ob_t",
  );
  assert.deepEqual(asked, [null, "token-1"]);
  assert.equal(row?.view.state.kind, "sent");
});

test("a worker stopped while the send is out: the restart looks in Sent and sends nothing more", async () => {
  const db = await freshDb();
  await seed(db, "ob_b", { s: "queued" });
  const core = fakeCore();
  const calls: string[] = [];
  // The request leaves, then the worker stops before the answer (nothing after the call runs).
  await assert.rejects(
    runEntry(
      deps(db, core, async (r) => {
        calls.push(r.url);
        throw new Error("worker stopped");
      }),
      "ob_b",
    ),
  );
  const left = await store.getEntry(db, "ob_b");
  assert.equal(left?.view.state.kind, "sending");
  assert.ok(left?.ixWake !== undefined, "an interrupted send is due again at once");
  assert.deepEqual(await store.dueIds(db, Date.now()), ["ob_b"]);

  const after = await runDue(
    deps(db, core, async (r) => {
      calls.push(r.url);
      return { kind: "response", response: { status: 200, headers: [], body: "found" } };
    }),
  );
  assert.deepEqual(calls, ["https://mail/send", "https://mail/lookup"], "one send, then a lookup: never a second send");
  assert.equal(after[0]?.view.state.kind, "sent");
});

test("a retry later than a short wait ends the drive with its time as the wake key; a short one is slept through", async () => {
  const db = await freshDb();
  await seed(db, "ob_c", { s: "queued" });
  let sends = 0;
  const later = await runEntry(
    deps(db, fakeCore({ retryMs: SHORT_WAIT_MS + 60_000 }), async () => {
      sends++;
      return { kind: "response", response: { status: 503, headers: [], body: "" } };
    }),
    "ob_c",
  );
  assert.equal(sends, 1);
  assert.equal(later?.view.state.kind, "retryWait");
  const wake = (await store.getEntry(db, "ob_c"))!.ixWake!;
  assert.ok(wake > Date.now() + SHORT_WAIT_MS, "the alarm takes the wait");
  assert.equal(await store.nextWake(db), wake);
  assert.deepEqual(await store.dueIds(db, Date.now()), [], "not due before its time");

  await seed(db, "ob_d", { s: "queued" });
  let tries = 0;
  const short = await runEntry(
    deps(
      db,
      fakeCore({ retryMs: 1_000 }),
      async () => ({ kind: "response", response: { status: tries++ === 0 ? 503 : 200, headers: [], body: "" } }),
    ),
    "ob_d",
  );
  assert.equal(short?.view.state.kind, "sent");
  assert.equal(tries, 2, "retried after the short wait");
});

test("the due check decides: held for review (no wake until the user acts), a later slot (its own wake), or run", async () => {
  const db = await freshDb();
  const never = async () => {
    throw new Error("nothing may be sent");
  };
  await seed(db, "ob_e", { s: "scheduled", at: Date.now() - 3_600_000 });
  const held = await runEntry(deps(db, fakeCore({ due: { kind: "hold", lateByMs: 3_600_000 } }), never, { latePolicy: async () => "holdForReview" }), "ob_e");
  assert.equal(held?.view.state.kind, "held", "the entry the core changed is stored");
  assert.equal((await store.getEntry(db, "ob_e"))?.ixWake, undefined, "a held email waits for the user, not the alarm");

  await seed(db, "ob_f", { s: "queued" });
  const slot = Date.now() + 90_000;
  const spaced = await runEntry(deps(db, fakeCore({ due: { kind: "at", atMs: slot, reason: "Inlay spaces out the emails." } }), never), "ob_f");
  assert.equal(spaced?.view.state.kind, "queued");
  assert.deepEqual(spaced?.dueAt, { atMs: slot, reason: "Inlay spaces out the emails." });
  assert.equal((await store.getEntry(db, "ob_f"))?.ixWake, slot, "woken at the core's slot, not at once");

  const sent = await runEntry(deps(db, fakeCore(), async () => ({ kind: "response", response: { status: 200, headers: [], body: "" } })), "ob_f");
  assert.equal(sent?.view.state.kind, "sent");
  assert.equal(sent?.dueAt, null, "the slot is forgotten once the machine runs");
});

test("no secret for now (the sign-in provider is down): the drive stops before any call and waits", async () => {
  const db = await freshDb();
  await seed(db, "ob_l", { s: "queued" });
  const at = Date.now() + 60_000;
  const row = await runEntry(
    deps(db, fakeCore(), async () => assert.fail("no call without a secret"), {
      secret: async () => ({ kind: "later", atMs: at, message: "Google's sign-in is not answering." }),
    }),
    "ob_l",
  );
  assert.equal(row?.view.state.kind, "queued");
  assert.equal((await store.getEntry(db, "ob_l"))?.ixWake, at);
});

test("two drives of one email at once: the second does nothing", async () => {
  const db = await freshDb();
  await seed(db, "ob_h", { s: "queued" });
  let sends = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const d = deps(db, fakeCore(), async () => {
    sends++;
    await gate;
    return { kind: "response", response: { status: 200, headers: [], body: "" } };
  });
  const first = runEntry(d, "ob_h");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await runEntry(d, "ob_h"), undefined);
  release();
  assert.equal((await first)?.view.state.kind, "sent");
  assert.equal(sends, 1);
});

test("the build's lookup grace goes to the machine the runner makes (none: the core's default)", async () => {
  const db = await freshDb();
  await seed(db, "ob_g", { s: "queued" });
  await seed(db, "ob_h", { s: "queued" });
  const core = fakeCore();
  const graces: (number | undefined)[] = [];
  const make = core.machine;
  core.machine = (json, mime, transmitted, lookupGraceMs) => (graces.push(lookupGraceMs), make(json, mime, transmitted));
  const ok = async () => ({ kind: "response", response: { status: 200, headers: [], body: "" } });
  await runEntry(deps(db, core, ok, { lookupGraceMs: async () => 3000 }), "ob_g");
  await runEntry(deps(db, core, ok), "ob_h");
  assert.deepEqual(graces, [3000, undefined]);
});
