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
});
