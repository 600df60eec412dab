// Exchange discovery in the worker with the real core (build/wasm), a fake
// fetch and a fake chrome.permissions: what is fetched, and what is not, when
// the user declines or grants the hosts Autodiscover wants; and which hosts
// get the password (only one that asks for it, and outside the user's domain
// only one the user named).
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import init, * as wasm from "../../../../build/wasm/inlay_connect.js";
import type { CoreApi, ExchangeCore } from "../core/types.js";
import { cancel, discover, resume } from "./exchange.js";

const core = init({ module_or_path: readFileSync("build/wasm/inlay_connect_bg.wasm") }).then(
  (): CoreApi & ExchangeCore => wasm,
);
// Loaded before any test: the store keys discoveries by the core's mailbox id.
await core;
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
      const target = { "_autodiscover._tcp.contoso.com": "mail.contoso.com", "_autodiscover._tcp.fabrikam.com": "mail.hoster.example" }[name ?? ""];
      if (target) {
        return json({ Status: 0, Answer: [{ name: `${name}.`, type: 33, TTL: 300, data: `0 0 443 ${target}.` }] });
      }
      return json({ Status: 0, Answer: [] });
    }
    if (url === "https://contoso.com/autodiscover/autodiscover.xml") {
      // The company's public web site answers every path with a page.
      return new Response("<html><body>Welcome to Contoso</body></html>", { status: 200, headers: { "content-type": "text/html" } });
    }
    if (url === "https://mail.contoso.com/autodiscover/autodiscover.xml") {
      if (!headers.get("authorization")) {
        return new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="mail.contoso.com"' } });
      }
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

  // The user allows the mail server: it asks for the password, gets it, and names EWS.
  granted.add("https://mail.contoso.com/*");
  const found = await resume(c, ADDRESS, { kind: "permission", granted: true });
  assert.equal(found.kind, "found");
  assert.equal((found as { ewsUrl: string }).ewsUrl, "https://mail.contoso.com/EWS/Exchange.asmx");
  assert.deepEqual(passwordHosts(), ["mail.contoso.com"]);
});

test("the domain's web site gets no password; the Autodiscover host that asks gets it once", async () => {
  ["https://contoso.com/*", "https://autodiscover.contoso.com/*", "http://autodiscover.contoso.com/*", "https://mail.contoso.com/*"].forEach((o) =>
    granted.add(o),
  );
  const found = await discover(await core, ADDRESS, "pw-secret", null);
  assert.equal(found.kind, "found", JSON.stringify(found));
  const site = fetched.filter((f) => f.url === "https://contoso.com/autodiscover/autodiscover.xml");
  assert.deepEqual(
    site.map((f) => f.authorization),
    [null],
    "the web site was asked once, without the password",
  );
  assert.deepEqual(passwordHosts(), ["mail.contoso.com"]);
  const mail = fetched.filter((f) => f.url === "https://mail.contoso.com/autodiscover/autodiscover.xml");
  assert.deepEqual(
    mail.map((f) => f.authorization !== null),
    [false, true],
    "first without credentials, then with them in answer to the challenge",
  );
});

test("an SRV target on another domain is named first; declining sends it nothing", async () => {
  const c = await core;
  const address = "bo@fabrikam.com";
  ["https://fabrikam.com/*", "https://autodiscover.fabrikam.com/*", "http://autodiscover.fabrikam.com/*"].forEach((o) => granted.add(o));
  const asked = await discover(c, address, "pw-secret", null);
  assert.deepEqual(asked, {
    kind: "confirmRedirect",
    host: "mail.hoster.example",
    url: "https://mail.hoster.example/autodiscover/autodiscover.xml",
  });
  const declined = await resume(c, address, { kind: "confirmed", accepted: false });
  assert.equal(declined.kind, "failed");
  assert.ok(!fetched.some((f) => new URL(f.url).hostname === "mail.hoster.example"), JSON.stringify(fetched));
  assert.deepEqual(passwordHosts(), []);

  // Said yes, the host is then asked for like any other (the browser's permission), still unsent to.
  await discover(c, address, "pw-secret", null);
  const next = await resume(c, address, { kind: "confirmed", accepted: true });
  assert.deepEqual(next, { kind: "needsPermission", origins: ["https://mail.hoster.example/*"] });
  assert.deepEqual(passwordHosts(), []);
  cancel(address);
});

test("an answer with no discovery running is refused in words", async () => {
  await assert.rejects(resume(await core, ADDRESS, { kind: "confirmed", accepted: true }), /no longer looking/);
});
