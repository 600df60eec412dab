// The worker's settings come from the core's reading of build config and
// policy (core/tests/accounts_policy.rs holds the rules, one test per bad
// shape); here: the worker gets that reading through the real core, and
// picks each provider's OAuth client from it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import init from "../../../../build/wasm/inlay_connect.js";
import { mergeSettings, oauthClient } from "./settings.js";

await init({ module_or_path: readFileSync("build/wasm/inlay_connect_bg.wasm") });

test("without policy the build config applies, with a full seat and no team inboxes", () => {
  const { settings, ignored } = mergeSettings({ googleClientId: "g", googleClientSecret: "s" }, {});
  assert.deepEqual(settings, {
    googleClientId: "g",
    googleClientSecret: "s",
    seat: "full",
    teamInboxes: [],
    allowedProviders: null,
    mailSettings: [],
    // The Sent check's wait after an unknown send: 2 minutes unless the build says otherwise.
    outbox: { lookupGraceMs: 120_000 },
  });
  assert.deepEqual(ignored, []);
});

test("a badly shaped policy value is ignored, and the core says which and why", () => {
  const { settings, ignored } = mergeSettings({}, { seat: "admin", allowedProviders: ["google", "yahoo"] });
  assert.equal(settings.seat, "full");
  assert.deepEqual(settings.allowedProviders, ["google"]);
  assert.deepEqual(
    ignored.map((i) => i.key),
    ["seat", "allowedProviders"],
  );
  assert.match(ignored[0]!.message, /"full" or "viewOnly", not "admin"/);
});

test("a provider without a client ID has no OAuth client; Microsoft never gets a secret", () => {
  const { settings } = mergeSettings({ microsoftClientId: "m", googleClientSecret: "s" }, {});
  assert.equal(oauthClient(settings, "google"), null);
  assert.deepEqual(oauthClient(settings, "microsoft"), { clientId: "m", clientSecret: null });
  assert.equal(oauthClient(settings, "exchange"), null);
});
