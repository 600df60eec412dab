import { test } from "node:test";
import assert from "node:assert/strict";
import { drive, driveUntil, type Input, type Step } from "./drive.js";

type S = Step<string, string, number, { code: string; message: string }>;

test("drive executes each step and feeds its input back until the machine ends", async () => {
  const steps: S[] = [
    { kind: "http", request: { method: "GET", url: "https://a.test/", headers: [] }, purpose: "profile" },
    { kind: "helper", call: { op: "imapCheck", args: { host: "h" } }, purpose: "imap" },
    { kind: "authFlow", url: "https://sign.in/", interactive: false },
    { kind: "wait", untilMs: 1_500, reason: "busy" },
    { kind: "ask", question: "allow?" },
    { kind: "done", result: 42 },
  ];
  const inputs: Input<boolean>[] = [];
  const slept: number[] = [];
  const seen: string[] = [];
  let i = 0;
  const end = await drive<string, string, boolean, number, { code: string; message: string }>(
    steps[i++]!,
    (input) => {
      inputs.push(input);
      return steps[i++]!;
    },
    {
      http: async (request, purpose) => ({ kind: "response", response: { status: 200, headers: [], body: `${purpose} ${request.url}` } }),
      helper: async (call, purpose) => ({ kind: "helperReply", reply: { op: call.op, host: call.args.host, purpose } }),
      authFlow: async (url, interactive) => ({ kind: "redirect", url: `${url}#${interactive}` }),
      sleep: async (ms) => void slept.push(ms),
      now: () => 1_000,
      ask: async (question) => question === "allow?",
      onStep: (step) => void seen.push(step.kind),
    },
  );
  assert.deepEqual(end, { kind: "done", result: 42 });
  assert.deepEqual(seen, ["http", "helper", "authFlow", "wait", "ask"]);
  assert.deepEqual(slept, [500]);
  assert.deepEqual(inputs, [
    { kind: "response", response: { status: 200, headers: [], body: "profile https://a.test/" } },
    { kind: "helperReply", reply: { op: "imapCheck", host: "h", purpose: "imap" } },
    { kind: "redirect", url: "https://sign.in/#false" },
    { kind: "timer" },
    { kind: "answer", answer: true },
  ]);
});

test("drive returns a failed first step without executing anything", async () => {
  const failed: S = { kind: "failed", error: { code: "x", message: "No." } };
  const end = await drive(failed, () => assert.fail("resumed a finished machine"));
  assert.deepEqual(end, failed);
});

test("a question without an answerer is an error, not a silent default", async () => {
  const ask: S = { kind: "ask", question: "?" };
  await assert.rejects(drive(ask, () => ({ kind: "done", result: 1 })), /nobody can answer/);
});

test("driveUntil pauses before a step the shell can't finish alone and picks it up from there later", async () => {
  const steps: S[] = [
    { kind: "http", request: { method: "GET", url: "https://a.test/", headers: [] }, purpose: "a" },
    { kind: "http", request: { method: "GET", url: "https://b.test/", headers: [] }, purpose: "b" },
    { kind: "done", result: 7 },
  ];
  let i = 0;
  const fetched: string[] = [];
  let allowed = false;
  const stops = {
    pauseAt: async (step: Step<string, string, unknown, unknown>) => (step.kind === "http" && step.purpose === "b" && !allowed ? "ask for b" : undefined),
    wanted: () => true,
  };
  const resume = () => steps[++i]!;
  const http = async (request: { url: string }) => (fetched.push(request.url), { kind: "response" as const, response: { status: 200, headers: [], body: "" } });
  const paused = await driveUntil(steps[0]!, resume, stops, { http });
  assert.deepEqual(paused, { kind: "paused", step: steps[1], why: "ask for b" });
  assert.deepEqual(fetched, ["https://a.test/"], "the paused request is not made");
  allowed = true;
  const end = await driveUntil(steps[1]!, resume, stops, { http });
  assert.deepEqual(end, { kind: "done", result: 7 });
  assert.deepEqual(fetched, ["https://a.test/", "https://b.test/"]);
});

test("driveUntil feeds nothing more to a machine given up while a step ran", async () => {
  const first: S = { kind: "http", request: { method: "GET", url: "https://a.test/", headers: [] }, purpose: "a" };
  let wanted = true;
  const end = await driveUntil(first, () => assert.fail("resumed a machine given up"), { pauseAt: async () => undefined, wanted: () => wanted }, {
    http: async () => ((wanted = false), { kind: "transport", failure: { kind: "network", message: "x" } } as never),
  });
  assert.deepEqual(end, { kind: "abandoned" });
  const gone = await driveUntil(first, () => assert.fail(), { pauseAt: async () => ((wanted = false), undefined), wanted: () => wanted });
  assert.deepEqual(gone, { kind: "abandoned" }, "given up during the pause check: the step is not run");
});
