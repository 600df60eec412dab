import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeSettings, oauthClient } from "./settings.js";

test("without policy the build config applies, with a full seat and no team inboxes", () => {
  const s = mergeSettings({ googleClientId: "g", googleClientSecret: "s" }, {});
  assert.deepEqual(s, {
    googleClientId: "g",
    googleClientSecret: "s",
    microsoftClientId: undefined,
    seat: "full",
    teamInboxes: [],
    allowedProviders: null,
    mailSettings: [],
  });
});

test("admin policy wins field by field", () => {
  const s = mergeSettings(
    { googleClientId: "build", microsoftClientId: "ms-build" },
    { googleClientId: "policy", seat: "viewOnly", teamInboxes: ["team@x.com"], allowedProviders: ["microsoft"] },
  );
  assert.equal(s.googleClientId, "policy");
  assert.equal(s.microsoftClientId, "ms-build");
  assert.equal(s.seat, "viewOnly");
  assert.deepEqual(s.teamInboxes, ["team@x.com"]);
  assert.deepEqual(s.allowedProviders, ["microsoft"]);
});

test("ill-typed policy values are ignored, never trusted", () => {
  const s = mergeSettings(
    {},
    { seat: "admin", teamInboxes: "team@x.com", allowedProviders: ["google", "yahoo", 3], googleClientId: "  " },
  );
  assert.equal(s.seat, "full");
  assert.deepEqual(s.teamInboxes, []);
  assert.equal(s.allowedProviders, null, "a list with a non-string is not a list of providers");
  assert.equal(s.googleClientId, undefined);
  assert.deepEqual(mergeSettings({}, { allowedProviders: ["google", "yahoo"] }).allowedProviders, ["google"]);
});

test("a provider without a client ID has no OAuth client; Microsoft never gets a secret", () => {
  const s = mergeSettings({ microsoftClientId: "m", googleClientSecret: "s" }, {});
  assert.equal(oauthClient(s, "google"), null);
  assert.deepEqual(oauthClient(s, "microsoft"), { clientId: "m", clientSecret: null });
  assert.equal(oauthClient(s, "exchange"), null);
});

test("admin IMAP/SMTP settings per domain come from policy; entries without a domain are dropped", () => {
  const entry = { domain: "corp.example", settings: { imap: {}, smtp: {}, sameCredentials: true } };
  const s = mergeSettings({}, { mailSettings: [entry, { settings: {} }, "corp.example", { domain: "x.example" }] });
  assert.deepEqual(s.mailSettings, [entry]);
  assert.deepEqual(mergeSettings({}, { mailSettings: "corp.example" }).mailSettings, []);
});
