// Discovery in the worker with the real core (build/wasm) and a mocked
// chrome.permissions: what happens when the user declines the domain's hosts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import init, * as wasm from "../../../../build/wasm/inlay_connect.js";
import { BridgeError } from "../io/bridge.js";
import type { CertificateTrust, ImapCore, Outcome } from "../core/types.js";
import type { HttpRequest } from "../io/http.js";
import { CertificateReview, checkLogin, discover, start, verifyLogins, type Deps } from "./imap.js";
import type { MailSettings } from "../../shared/inboxes.js";

const ready = init({ module_or_path: readFileSync("build/wasm/inlay_connect_bg.wasm") }).then((): ImapCore => wasm);

const ISPDB_DOC = `<clientConfig version="1.1"><emailProvider id="corp.example">
  <domain>corp.example</domain><displayName>Corp Mail</displayName>
  <incomingServer type="imap"><hostname>imap.corp.example</hostname><port>993</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.corp.example</hostname><port>465</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>`;

/** chrome.permissions as a user who declined the prompt: only the manifest's hosts are granted. */
function mockChrome(granted: string[]) {
  const asked: string[] = [];
  (globalThis as { chrome?: unknown }).chrome = {
    permissions: {
      contains: async ({ origins }: { origins: string[] }) => {
        asked.push(...origins);
        return origins.every((o) => granted.includes(o));
      },
    },
    runtime: { getURL: (p: string) => `chrome-extension://test/${p}` },
    storage: { managed: { get: async () => ({}) } },
  };
  return asked;
}

function deps(fetched: string[], answer: (r: HttpRequest) => Outcome): Deps {
  return {
    bridge: () => {
      throw new Error("no helper in this test");
    },
    hasOrigin: (origin) => chrome.permissions.contains({ origins: [origin] }),
    fetchOutcome: async (request) => {
      fetched.push(request.url);
      return answer(request);
    },
  };
}

// settings.ts fetches config.json; answer it without a network.
globalThis.fetch = (async () => new Response("{}", { status: 200 })) as typeof fetch;

test("declined: the domain's own hosts are never fetched and discovery moves on to the ISPDB", async () => {
  const core = await ready;
  const asked = mockChrome(["https://autoconfig.thunderbird.net/*", "https://dns.google/*"]);
  const fetched: string[] = [];
  const found = await discover(
    core,
    "ann@corp.example",
    deps(fetched, (r) =>
      r.url.startsWith("https://autoconfig.thunderbird.net/")
        ? { kind: "response", response: { status: 200, headers: [["content-type", "text/xml"]], body: ISPDB_DOC } }
        : { kind: "response", response: { status: 500, headers: [], body: "" } },
    ),
  );
  assert.deepEqual(fetched, ["https://autoconfig.thunderbird.net/v1.1/corp.example"]);
  assert.ok(asked.includes("https://autoconfig.corp.example/*") && asked.includes("https://corp.example/*"), asked.join());
  assert.equal(found.source, "ispdb");
  assert.equal(found.settings.imap.host, "imap.corp.example");
  assert.equal(found.settings.imap.username, "ann@corp.example");
  assert.ok(found.evidence.some((e) => e === "autoconfig.corp.example: not read, as you didn't allow Inlay to reach autoconfig.corp.example."), found.evidence.join("\n"));
});

test("granted: the domain's autoconfig is read first", async () => {
  const core = await ready;
  mockChrome(["https://autoconfig.corp.example/*", "https://corp.example/*"]);
  const fetched: string[] = [];
  const found = await discover(
    core,
    "ann@corp.example",
    deps(fetched, () => ({ kind: "response", response: { status: 200, headers: [], body: ISPDB_DOC } })),
  );
  assert.deepEqual(fetched, ["https://autoconfig.corp.example/mail/config-v1.1.xml?emailaddress=ann%40corp.example"]);
  assert.equal(found.source, "domainAutoconfig");
});

test("nothing granted and nothing found ends in guesses for the user to check", async () => {
  const core = await ready;
  mockChrome([]);
  const fetched: string[] = [];
  const found = await discover(core, "ann@corp.example", deps(fetched, () => assert.fail("nothing may be fetched")));
  assert.deepEqual(fetched, []);
  assert.equal(found.source, "guess");
  assert.equal(found.confidence, "low");
  assert.equal(found.settings.imap.host, "imap.corp.example");
});

test("start names the origins to ask for and reports a missing helper in words", async () => {
  const core = await ready;
  mockChrome([]);
  const result = await start(core, "ann@corp.example", {
    ...deps([], () => assert.fail()),
    bridge: () =>
      ({ request: async () => Promise.reject(new BridgeError("bridgeMissing", "Inlay's mail helper is not installed.")) }) as never,
  });
  assert.deepEqual(result.origins, ["https://autoconfig.corp.example/*", "https://corp.example/*"]);
  assert.equal(result.usual?.imap.host, "imap.corp.example", "the form by hand starts from the core's usual servers");
  assert.equal(result.admin, null);
  // The helper's own words are shown as they are, with the guide that ships inside the extension.
  assert.deepEqual(result.helper, {
    installed: false,
    message: "Inlay's mail helper is not installed.",
    installUrl: "chrome-extension://test/mail-helper.txt",
  });
});

test("an invalid address is refused with the core's reason", async () => {
  const core = await ready;
  mockChrome([]);
  await assert.rejects(discover(core, "not-an-address", deps([], () => assert.fail())), (e: Error & { code?: string }) => {
    assert.equal(e.code, "missingAt");
    assert.match(e.message, /@/);
    return true;
  });
});

const SETTINGS: MailSettings = {
  imap: { host: "mail.corp.example", port: 993, security: "implicitTls", username: "ann" },
  smtp: { host: "smtp.corp.example", port: 465, security: "implicitTls", username: "ann" },
  sameCredentials: true,
};

const CERTIFICATE = {
  subject: "CN=mail.corp.example",
  issuer: "CN=Corp Private CA",
  notBefore: "Fri, 04 Dec 2026 00:00:00 +0000",
  notAfter: "Sat, 04 Dec 2027 00:00:00 +0000",
  spkiSha256: "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
};

/** A helper that records each request and answers with `reply(op)`. */
function helper(reply: (op: string) => Promise<unknown>) {
  const sent: Record<string, unknown>[] = [];
  const d: Deps = {
    ...deps([], () => assert.fail()),
    bridge: () => ({ request: async (op: string, args: Record<string, unknown>) => (sent.push({ op, ...args }), reply(op)) }) as never,
  };
  return { sent, d };
}

const PASSWORD = { password: "pw", smtpPassword: null };
const NO_PINS = { imap: null, smtp: null };

test("a server's pin goes to the helper as pinnedSpki, never as trust-any", async () => {
  const core = await ready;
  const { sent, d } = helper(async () => ({ certificatePin: CERTIFICATE.spkiSha256 }));
  const verified = await verifyLogins(core, d, SETTINGS, PASSWORD, { imap: null, smtp: CERTIFICATE.spkiSha256 });
  assert.deepEqual(verified.pinnedCertificates, { imap: null, smtp: CERTIFICATE.spkiSha256 });
  assert.deepEqual(sent[1], {
    op: "smtpCheck",
    host: "smtp.corp.example",
    port: 465,
    security: "implicitTls",
    username: "ann",
    password: "pw",
    pinnedSpki: CERTIFICATE.spkiSha256,
  });
  assert.equal(sent[0]?.op, "imapCheck");
  assert.ok(!("pinnedSpki" in sent[0]!) && !("trustAnyCertificate" in sent[0]!), JSON.stringify(sent[0]));
});

test("a certificate the helper can't verify becomes a review: the certificate and the core's words", async () => {
  const core = await ready;
  const { sent, d } = helper(() => Promise.reject(new BridgeError("untrustedCertificate", "invalid peer certificate: UnknownIssuer", CERTIFICATE)));
  await assert.rejects(verifyLogins(core, d, SETTINGS, PASSWORD, NO_PINS), (e: unknown) => {
    assert.ok(e instanceof CertificateReview, String(e));
    assert.equal(e.code, "reviewCertificate");
    assert.equal(e.review.server, "imap");
    assert.equal(e.review.host, "mail.corp.example");
    assert.deepEqual(e.review.certificate, CERTIFICATE);
    assert.match(e.message, /sent no password/);
    assert.match(e.message, /Trust this certificate/);
    return true;
  });
  assert.equal(sent.length, 1, "SMTP is not checked after IMAP's certificate was refused");
});

test("a changed certificate is reviewed again, in the issue's words; other TLS failures are plain errors", async () => {
  const core = await ready;
  const changed = helper((op) => (op === "imapCheck" ? Promise.resolve({}) : Promise.reject(new BridgeError("certificateChanged", "another key", CERTIFICATE))));
  await assert.rejects(verifyLogins(core, changed.d, SETTINGS, PASSWORD, { imap: null, smtp: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }), (e: unknown) => {
    assert.ok(e instanceof CertificateReview);
    assert.equal(e.review.server, "smtp");
    assert.match(e.message, /certificate changed since you connected — this can be an attack; reconnect to review it/);
    return true;
  });
  const tls = helper(() => Promise.reject(new BridgeError("tlsFailed", "received corrupt message")));
  await assert.rejects(verifyLogins(core, tls.d, SETTINGS, PASSWORD, NO_PINS), (e: unknown) => {
    assert.ok(!(e instanceof CertificateReview));
    assert.equal((e as { code: string }).code, "tlsFailed");
    assert.doesNotMatch((e as Error).message, /Trust any/);
    return true;
  });
});

const OTHER_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/** IMAP at the accepted key, and an SMTP server presenting the key `presented`: refused unless pinned to exactly it. */
function smtpServer(presented: string) {
  const sent: Record<string, unknown>[] = [];
  const d: Deps = {
    ...deps([], () => assert.fail()),
    bridge: () =>
      ({
        request: async (op: string, args: Record<string, unknown>) => {
          if (op === "imapCheck") return { certificatePin: CERTIFICATE.spkiSha256, certificateVerified: null };
          sent.push({ op, ...args });
          if (args.pinnedSpki === presented) return { certificatePin: presented, certificateVerified: null };
          const code = args.pinnedSpki ? "certificateChanged" : "untrustedCertificate";
          throw new BridgeError(code, "invalid peer certificate: UnknownIssuer", { ...CERTIFICATE, spkiSha256: presented });
        },
      }) as never,
  };
  return { sent, d };
}

test("SMTP presenting the key just accepted for IMAP is pinned without a second review", async () => {
  const core = await ready;
  const { sent, d } = smtpServer(CERTIFICATE.spkiSha256);
  const verified = await verifyLogins(core, d, SETTINGS, PASSWORD, { imap: CERTIFICATE.spkiSha256, smtp: null });
  assert.equal(verified.pinnedCertificates.smtp, CERTIFICATE.spkiSha256);
  assert.deepEqual(
    sent.map((r) => r.pinnedSpki ?? null),
    [null, CERTIFICATE.spkiSha256],
    "refused unpinned (no password sent), then checked again pinned to exactly that key",
  );
});

test("SMTP presenting another key than IMAP's is reviewed as before", async () => {
  const core = await ready;
  const { sent, d } = smtpServer(OTHER_KEY);
  await assert.rejects(verifyLogins(core, d, SETTINGS, PASSWORD, { imap: CERTIFICATE.spkiSha256, smtp: null }), (e: unknown) => {
    assert.ok(e instanceof CertificateReview, String(e));
    assert.equal(e.review.server, "smtp");
    assert.equal(e.review.certificate.spkiSha256, OTHER_KEY);
    return true;
  });
  assert.equal(sent.length, 1, "no second attempt");
});

const LEGACY: CertificateTrust = { pinnedCertificates: { imap: null, smtp: null }, trustAnyCertificate: true, notice: null };

test("a trust-any account: the core pins only the certificate that doesn't verify and words the notice", async () => {
  const core = await ready;
  const { sent, d } = helper(async (op) =>
    op === "imapCheck" ? { certificatePin: CERTIFICATE.spkiSha256, certificateVerified: false } : { certificatePin: OTHER_KEY, certificateVerified: true },
  );
  const end = await checkLogin(core, d, SETTINGS, LEGACY, PASSWORD);
  assert.equal(end.kind, "done");
  const trust = end.kind === "done" ? end.result.trust : null;
  assert.equal(sent[0]?.trustAnyCertificate, true);
  assert.equal(sent[1]?.op, "smtpCheck");
  assert.equal(sent[1]?.trustAnyCertificate, true);
  assert.deepEqual(trust?.pinnedCertificates, { imap: CERTIFICATE.spkiSha256, smtp: null });
  assert.equal(trust?.trustAnyCertificate, false);
  assert.match(trust?.notice ?? "", /^Inlay no longer accepts any certificate from the incoming mail \(IMAP\) server at mail\.corp\.example on port 993:/);
  assert.ok(trust?.notice?.includes(CERTIFICATE.spkiSha256), trust?.notice ?? "");
  assert.ok(!trust?.notice?.includes("SMTP"), "the verified SMTP certificate is not mentioned");
});

test("a trust-any account whose certificates verify anyway gets no pin and no notice; a failed SMTP check changes nothing", async () => {
  const core = await ready;
  const verified = helper(async (op) =>
    op === "imapCheck" ? { certificatePin: CERTIFICATE.spkiSha256, certificateVerified: true } : { certificatePin: OTHER_KEY, certificateVerified: true },
  );
  const end = await checkLogin(core, verified.d, SETTINGS, LEGACY, PASSWORD);
  assert.deepEqual(end, { kind: "done", result: { trust: { pinnedCertificates: { imap: null, smtp: null }, trustAnyCertificate: false, notice: null } } });
  const down = helper((op) =>
    op === "imapCheck" ? Promise.resolve({ certificatePin: CERTIFICATE.spkiSha256, certificateVerified: false }) : Promise.reject(new BridgeError("connectFailed", "refused")),
  );
  assert.deepEqual(await checkLogin(core, down.d, SETTINGS, LEGACY, PASSWORD), { kind: "done", result: { trust: null } });
});

test("a refused password asks for the user; an unreachable server is 'later', in the core's words", async () => {
  const core = await ready;
  const pinned = { pinnedCertificates: { imap: CERTIFICATE.spkiSha256, smtp: null }, trustAnyCertificate: false, notice: null };
  const refused = helper(() => Promise.reject(new BridgeError("wrongPassword", "")));
  const end = await checkLogin(core, refused.d, SETTINGS, pinned, PASSWORD);
  assert.equal(end.kind === "failed" && end.error.outcome, "needsReauthentication");
  assert.equal(refused.sent[0]?.pinnedSpki, CERTIFICATE.spkiSha256);
  const away = helper(() => Promise.reject(new BridgeError("connectFailed", "")));
  const later = await checkLogin(core, away.d, SETTINGS, pinned, PASSWORD);
  assert.ok(later.kind === "failed" && later.error.outcome === "later" && /couldn't reach/.test(later.error.message), JSON.stringify(later));
});
