// The egress allowlist's matching, without a browser: what the harness's
// close() lets through and what it fails on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { featuresFor } from "./egress.mjs";
import { ROOT, extensionId } from "./harness.mjs";

const ID = extensionId();
const allowed = (host) => featuresFor(host, ID).length > 0;

test("provider hosts are allowed for their features, and nothing near them", () => {
  assert.deepEqual(featuresFor("graph.microsoft.com", ID), ["Connect Microsoft: sign-in, token, Graph profile and mailbox settings"]);
  for (const host of ["mail.google.com", "oauth2.googleapis.com", "dns.google", "autoconfig.thunderbird.net"]) {
    assert.ok(allowed(host), host);
  }
  for (const host of ["www.googleapis.com", "clients2.google.com", "google.com", "xgraph.microsoft.com", "graph.microsoft.com.evil.test", "dns.google.evil"]) {
    assert.ok(!allowed(host), host);
  }
});

test("the OAuth redirect host is allowed for Inlay's own ID only", () => {
  assert.ok(allowed(`${ID}.chromiumapp.org`));
  assert.ok(!allowed("aaaabbbbccccddddeeeeffffgggghhhh.chromiumapp.org"));
});

test("the user's domains stand for the sandbox's test organisations (reserved .example names)", () => {
  for (const host of ["contoso-exchange.example", "autodiscover.contoso-exchange.example", "autoconfig.imap-test.example"]) {
    assert.ok(allowed(host), host);
  }
  for (const host of ["autodiscover.contoso.com", "example", "autoconfig.example.com", "evil.example.com"]) {
    assert.ok(!allowed(host), host);
  }
});

test("the architecture doc points to the allowlist", () => {
  const doc = readFileSync(`${ROOT}/docs/ARCHITECTURE.md`, "utf8");
  assert.match(doc, /tests\/e2e\/egress-allowlist\.json/);
});
