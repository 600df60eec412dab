import { test } from "node:test";
import assert from "node:assert/strict";
import { callerOf, route, type Validator } from "./router.js";

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

test("ping answers with the core's version", () => {
  assert.deepEqual(route(core, "contentScript", { type: "ping" }), { ok: true, value: { core: "9.9.9" } });
});

test("a refused message returns the core's error and nothing else", () => {
  const reply = route(core, "contentScript", { type: "getTokens" });
  assert.equal(reply.ok, false);
  assert.equal(!reply.ok && reply.error.code, "invalidMessage");
});

test("unserialisable messages are refused without reaching the core", () => {
  const cyclic: Record<string, unknown> = { type: "ping" };
  cyclic.self = cyclic;
  let reached = false;
  const spy: Validator = { ...core, parseRequest: () => ((reached = true), {}) };
  const reply = route(spy, "contentScript", cyclic);
  assert.equal(reply.ok, false);
  assert.equal(reached, false);
});
