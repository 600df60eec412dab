import { test } from "node:test";
import assert from "node:assert/strict";
import { callerOf, route, type Handlers, type Validator } from "./router.js";

const ID = "bbimpbbieljienmnelgcbakbkgaiinfn";

/** A validator that behaves like the core's for the one request that exists. */
const core: Validator = {
  version: () => "9.9.9",
  parseRequest(caller, json) {
    const value = JSON.parse(json) as { type?: string };
    if (value.type !== "ping" || Object.keys(value).length !== 1) {
      throw { code: "invalidMessage", message: `message refused: ${json}` };
    }
    return { caller, request: { type: "ping" } };
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
  const spy: Validator = { ...core, parseRequest: () => ((reached = true), {}) };
  const reply = await route(spy, none, "contentScript", cyclic);
  assert.equal(reply.ok, false);
  assert.equal(reached, false);
});

/** A validator that accepts any object with a type, to exercise dispatch. */
const permissive: Validator = {
  version: () => "1",
  parseRequest: (caller, json) => ({ caller, request: JSON.parse(json) as unknown }),
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

test("a handler's coded error reaches the page with its code and words", async () => {
  const handlers: Handlers = {
    extensionPage: {
      connect: () => {
        throw { code: "viewOnlySeat", message: "Your seat is view-only." };
      },
      boom: () => Promise.reject(new Error("disk full")),
    },
  };
  assert.deepEqual(await route(permissive, handlers, "extensionPage", { type: "connect" }), {
    ok: false,
    error: { code: "viewOnlySeat", message: "Your seat is view-only." },
  });
  const internal = await route(permissive, handlers, "extensionPage", { type: "boom" });
  assert.equal(!internal.ok && internal.error.code, "internal");
});
