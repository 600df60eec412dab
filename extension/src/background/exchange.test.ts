// Exchange discovery in the worker with the real core (build/wasm), a fake
// fetch and a fake chrome.permissions: what is fetched, and what is not, when
// the user declines or grants the hosts Autodiscover wants.
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import init, * as wasm from "../../../build/wasm/inlay_wasm.js";
import type { CoreApi } from "./coreTypes.js";
import { cancel, discover, resume, type ExchangeCore } from "./exchange.js";

const core = init({ module_or_path: readFileSync("build/wasm/inlay_wasm_bg.wasm") }).then(
  () => wasm as unknown as CoreApi & ExchangeCore,
);
const SETTINGS = readFileSync("core/tests/fixtures/ews/autodiscover/settings.xml", "utf8");
const ADDRESS = "ana@contoso.com";

let granted: Set<string>;
let fetched: { url: string; authorization: string | null }[];

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
}

beforeEach(() => {
  cancel(ADDRESS);
  granted = new Set(["https://dns.google/*"]);
  fetched = [];
  (globalThis as { chrome?: unknown }).chrome = {
    permissions: { contains: async ({ origins }: { origins: string[] }) => origins.every((o) => granted.has(o)) },
  };
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    fetched.push({ url, authorization: headers.get("authorization") });
    const u = new URL(url);
    if (u.hostname === "dns.google") {
      const name = u.searchParams.get("name");
      if (name === "_autodiscover._tcp.contoso.com") {
        return json({ Status: 0, Answer: [{ name: `${name}.`, type: 33, TTL: 300, data: "0 0 443 mail.contoso.com." }] });
      }
      return json({ Status: 0, Answer: [] });
    }
    if (url === "https://mail.contoso.com/autodiscover/autodiscover.xml") {
      return new Response(SETTINGS, { status: 200, headers: { "content-type": "text/xml" } });
    }
    throw new TypeError(`unexpected fetch ${url}`);
  };
});

const passwordHosts = () => fetched.filter((f) => f.authorization?.startsWith("Basic ")).map((f) => new URL(f.url).host);

test("nothing granted: the page is asked for every host Autodiscover will try, and nothing is sent", async () => {
  const reply = await discover(await core, ADDRESS, "pw-secret", null);
  assert.deepEqual(reply, {
    kind: "needsPermission",
    origins: ["https://contoso.com/*", "https://autodiscover.contoso.com/*", "http://autodiscover.contoso.com/*"],
  });
  assert.deepEqual(passwordHosts(), []);
  assert.ok(fetched.every((f) => new URL(f.url).hostname === "dns.google"), JSON.stringify(fetched));
});

test("declined hosts are skipped, not fetched; the SRV record's host is asked for next", async () => {
  const c = await core;
  await discover(c, ADDRESS, "pw-secret", null);
  const next = await resume(c, ADDRESS, { kind: "permission", granted: false });
  assert.deepEqual(next, { kind: "needsPermission", origins: ["https://mail.contoso.com/*"] });
  const hosts = fetched.map((f) => new URL(f.url).hostname);
  assert.ok(!hosts.some((h) => h.endsWith("contoso.com")), `declined hosts were contacted: ${hosts.join(", ")}`);
  assert.ok(fetched.some((f) => f.url.includes("_autodiscover._tcp.contoso.com")), "the SRV record was looked up");

  // The user allows the mail server: Autodiscover asks it, with the password, and finds EWS.
  granted.add("https://mail.contoso.com/*");
  const found = await resume(c, ADDRESS, { kind: "permission", granted: true });
  assert.equal(found.kind, "found");
  assert.equal((found as { ewsUrl: string }).ewsUrl, "https://mail.contoso.com/EWS/Exchange.asmx");
  assert.deepEqual(passwordHosts(), ["mail.contoso.com"]);
});

test("an answer with no discovery running is refused in words", async () => {
  await assert.rejects(resume(await core, ADDRESS, { kind: "confirmed", accepted: true }), /no longer looking/);
});
