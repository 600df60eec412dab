import { test } from "node:test";
import assert from "node:assert/strict";
import type { Request } from "./core/generated/Request.js";
import { boundedJson, callerOf, OVER_LIMIT, route, type Handlers, type Validator } from "./router.js";

const ID = "bbimpbbieljienmnelgcbakbkgaiinfn";

/** A validator that behaves like the core's for the one request that exists. */
const LIMITS = { contentScript: 16 * 1024, extensionPage: 1024 * 1024 };
const messageLimit = (caller: string) => {
  const maxBytes = LIMITS[caller as keyof typeof LIMITS];
  return { maxBytes, refusal: { code: "tooLarge", message: `message refused: it is over the ${maxBytes}-byte limit` } };
};

const core: Validator = {
  version: () => "9.9.9",
  messageLimit,
  parseRequest(caller, json) {
    const value = JSON.parse(json) as { type?: string };
    if (value.type !== "ping" || Object.keys(value).length !== 1) {
      throw { code: "invalidMessage", message: `message refused: ${json}` };
    }
    return { caller, request: { type: "ping" } } as Request;
  },
};

test("a content script's message is recognised by its tab", () => {
  const sender = { id: ID, tab: { id: 3 } as chrome.tabs.Tab, url: "https://mail.google.com/mail/u/0/" };
  assert.equal(callerOf(sender, ID), "contentScript");
});

test("an extension page is recognised by its own origin", () => {
  assert.equal(callerOf({ id: ID, url: `chrome-extension://${ID}/popup.html` }, ID), "extensionPage");
});

test("an extension page opened in a tab is still an extension page", () => {
  const sender = { id: ID, tab: { id: 4 } as chrome.tabs.Tab, url: `chrome-extension://${ID}/app.html` };
  assert.equal(callerOf(sender, ID), "extensionPage");
});

test("messages from another extension or an unknown context are refused", () => {
  assert.equal(callerOf({ id: "otherextensionidotherextensionid", url: "chrome-extension://x/" }, ID), null);
  assert.equal(callerOf({ id: ID, url: "https://evil.test/" }, ID), null);
  assert.equal(callerOf({ id: ID }, ID), null);
});

const none: Handlers = {};

test("ping answers with the core's version", async () => {
  assert.deepEqual(await route(core, none, "contentScript", { type: "ping" }), { ok: true, value: { core: "9.9.9" } });
});

test("a refused message returns the core's error and nothing else", async () => {
  const reply = await route(core, none, "contentScript", { type: "getTokens" });
  assert.equal(reply.ok, false);
  assert.equal(!reply.ok && reply.error.code, "invalidMessage");
});

test("unserialisable messages are refused without reaching the core", async () => {
  const cyclic: Record<string, unknown> = { type: "ping" };
  cyclic.self = cyclic;
  let reached = false;
  const spy: Validator = { ...core, parseRequest: (caller, json) => ((reached = true), core.parseRequest(caller, json)) };
  const reply = await route(spy, none, "contentScript", cyclic);
  assert.equal(reply.ok, false);
  assert.equal(reached, false);
});

/** A validator that accepts any object with a type, to exercise dispatch. */
const permissive: Validator = {
  version: () => "1",
  messageLimit,
  parseRequest: (caller, json) => ({ caller, request: JSON.parse(json) }) as Request,
};

test("a validated request runs only the handler registered for its caller", async () => {
  const calls: string[] = [];
  const handlers: Handlers = {
    extensionPage: { listAccounts: () => (calls.push("page"), ["a"]) },
    contentScript: {},
  };
  assert.deepEqual(await route(permissive, handlers, "extensionPage", { type: "listAccounts" }), { ok: true, value: ["a"] });
  const refused = await route(permissive, handlers, "contentScript", { type: "listAccounts" });
  assert.deepEqual(refused, { ok: false, error: { code: "unhandled", message: "no handler for listAccounts" } });
  assert.deepEqual(calls, ["page"]);
});

test("handlers given as a function are asked for only by a message that needs one, never by a ping", async () => {
  let asked = 0;
  const handlers = async (): Promise<Handlers> => {
    asked += 1;
    return { extensionPage: { listAccounts: () => ["a"] } };
  };
  // A wake-up's ping must not load the handlers' core (the connect module).
  assert.deepEqual(await route(permissive, handlers, "extensionPage", { type: "ping" }), { ok: true, value: { core: "1" } });
  assert.equal(asked, 0);
  assert.deepEqual(await route(permissive, handlers, "extensionPage", { type: "listAccounts" }), { ok: true, value: ["a"] });
  assert.equal(asked, 1);
});

test("a handler's coded error reaches the page with its code and words", async () => {
  const handlers: Handlers = {
    extensionPage: {
      connect: () => {
        throw { code: "viewOnlySeat", message: "Your seat is view-only." };
      },
      disconnect: () => Promise.reject(new Error("disk full")),
    },
  };
  assert.deepEqual(await route(permissive, handlers, "extensionPage", { type: "connect" }), {
    ok: false,
    error: { code: "viewOnlySeat", message: "Your seat is view-only." },
  });
  const internal = await route(permissive, handlers, "extensionPage", { type: "disconnect" });
  assert.equal(!internal.ok && internal.error.code, "internal");
});

test("an oversized message is refused with the core's words before it is serialised or reaches the core", async () => {
  let reached = false;
  let serialisedPastIt = false;
  const spy: Validator = { ...core, parseRequest: (caller, json) => ((reached = true), core.parseRequest(caller, json)) };
  // JSON.stringify visits keys in order: `after` is only serialised if the pad was copied first.
  const huge = { type: "ping", pad: "x".repeat(50 * 1024 * 1024), after: { toJSON: () => ((serialisedPastIt = true), 1) } };
  const reply = await route(spy, none, "contentScript", huge);
  assert.deepEqual(reply, { ok: false, error: messageLimit("contentScript").refusal });
  assert.equal(reached, false, "the core never saw it");
  assert.equal(serialisedPastIt, false, "serialising stopped at the oversized string");
  // Many small values add up the same way.
  const many = { type: "ping", list: Array.from({ length: 100_000 }, () => 0) };
  assert.equal((await route(spy, none, "contentScript", many)).ok, false);
  assert.equal(reached, false);
  // An extension page has a larger budget for the same message.
  assert.notEqual(boundedJson(many, LIMITS.extensionPage), OVER_LIMIT);
});

test("the cheap size check never refuses a message the core's exact limit would take", () => {
  // A seeded generator of messages of every shape: unicode, escapes, arrays, nesting, empty keys.
  let seed = 42;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pieces = ["a", "é", "€", "😀", '"', "\\", "\n", "\u0001", ""];
  const text = () => Array.from({ length: next(40) }, () => pieces[next(pieces.length)]).join("");
  const value = (depth: number): unknown => {
    switch (depth > 3 ? next(4) : next(7)) {
      case 0: return text();
      case 1: return next(1000) - 500;
      case 2: return next(2) === 0 ? null : true;
      case 3: return 1.5e300;
      case 4: return Array.from({ length: next(30) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: next(8) }, () => [text(), value(depth + 1)]));
    }
  };
  for (let i = 0; i < 2000; i++) {
    const message = { type: text(), body: value(0) };
    const exact = JSON.stringify(message);
    const bytes = Buffer.byteLength(exact, "utf8");
    for (const limit of [bytes, bytes + 1, Math.max(0, bytes - 1), Math.floor(bytes / 2)]) {
      const bounded = boundedJson(message, limit);
      if (bytes <= limit) assert.equal(bounded, exact, `refused a ${bytes}-byte message at a ${limit}-byte limit`);
      else assert.ok(bounded === OVER_LIMIT || bounded === exact, "either refused early or left to the core");
    }
  }
});
