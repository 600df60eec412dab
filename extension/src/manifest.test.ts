import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

// build/ts-test/manifest.test.mjs → the repository's manifest.json.
const text = readFileSync(new URL("../../manifest.json", import.meta.url), "utf8");
const manifest = JSON.parse(text) as Record<string, unknown>;

test("manifest.json says each key once (JSON lets a repeated key silently replace the first)", () => {
  // The file is kept in JSON.stringify's own layout, so a key written twice
  // (which parsing drops) makes the two differ.
  assert.equal(JSON.stringify(manifest, null, 2) + "\n", text);
});

test("the manifest asks only for the permissions the architecture doc justifies", () => {
  assert.deepEqual(manifest.permissions, ["storage", "identity", "alarms", "webRequest", "nativeMessaging"]);
  // User-supplied servers (Exchange, IMAP discovery) are asked for per host, from a click.
  assert.deepEqual(manifest.optional_host_permissions, ["https://*/*", "http://*/*"]);
  const hosts = manifest.host_permissions as string[];
  assert.ok(hosts.every((h) => h.startsWith("https://") && !h.startsWith("https://*")), hosts.join(" "));
  // Each host is one the worker fetches (planned by the core) or a webmail page the
  // content scripts run on. Sign-in pages (accounts.google.com) open through
  // chrome.identity, which needs no host permission; scope names are not hosts.
  assert.deepEqual(hosts, [
    "https://mail.google.com/*",
    "https://outlook.office.com/*",
    "https://outlook.office365.com/*",
    "https://outlook.live.com/*",
    "https://gmail.googleapis.com/*",
    "https://oauth2.googleapis.com/*",
    "https://login.microsoftonline.com/*",
    "https://graph.microsoft.com/*",
    "https://dns.google/*",
    "https://autoconfig.thunderbird.net/*",
  ]);
});

test("no remote code, no door for other extensions or web pages", () => {
  assert.deepEqual(manifest.content_security_policy, {
    extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
  });
  // Declared and empty: without the key every extension could connect.
  assert.deepEqual(manifest.externally_connectable, { ids: [], matches: [] });
  // No file of Inlay's can be loaded by a web page (nor used to fingerprint it).
  assert.equal("web_accessible_resources" in manifest, false);
});
