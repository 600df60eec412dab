// Connecting personal inboxes end to end: the popup's flow in real Chromium,
// chrome.identity.launchWebAuthFlow against the sandbox's Google and
// Microsoft sign-in fakes, token exchange, verification, aliases, refresh,
// reauthentication, disconnect, and the faults providers really produce.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, readStore, startSandbox, until } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

let sandbox;
let browser;
let inbox;

const ANN = { provider: "google", address: "ann@acme-corp.example", displayName: "Ann Archer", aliases: ["sales@acme-corp.example"] };
const BOB = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker" };
const DNS = [
  { name: "acme-corp.example", type: "MX", data: "1 aspmx.l.google.com." },
  { name: "acme-corp.example", type: "MX", data: "5 alt1.aspmx.l.google.com." },
  { name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." },
];

before(async () => {
  sandbox = await startSandbox();
});
after(async () => sandbox?.stop());

beforeEach(async () => {
  await seed(sandbox, { accounts: [ANN, BOB, { provider: "google", address: "carol@acme-corp.example", displayName: "Carol" }], dns: DNS });
  browser = await launchBrowser(sandbox);
  inbox = await InboxPage.open(browser);
});
afterEach(async () => browser?.close());

async function oauthLog() {
  return sandbox.control("GET", "/oauth/log");
}

describe("Gmail / Google Workspace", () => {
  test("detects Google Workspace from MX, discloses scopes, signs in with PKCE, and shows aliases", async () => {
    const detected = await inbox.startConnect(ANN.address);
    assert.match(detected, /Google Workspace/);
    assert.match(detected, /aspmx\.l\.google\.com/, "the evidence names the MX host");
    const disclosure = await inbox.chooseAndContinue("Gmail");
    assert.match(disclosure, /gmail\.send/);
    const confirmation = await inbox.waitConnected();
    assert.match(confirmation, /Connected ann@acme-corp\.example/);
    assert.match(confirmation, /sales@acme-corp\.example/);
    await inbox.waitAccountState(ANN.address, "connected");

    const log = await oauthLog();
    const authorize = log.find((e) => e.endpoint === "authorize" && e.provider === "google");
    assert.ok(authorize, JSON.stringify(log));
    assert.equal(authorize.pkceMethod, "S256");
    assert.ok(authorize.codeChallengeLength >= 43);
    assert.ok(authorize.statePresent && authorize.noncePresent);
    assert.equal(authorize.params.redirect_uri, "https://bbimpbbieljienmnelgcbakbkgaiinfn.chromiumapp.org/google");
    assert.equal(authorize.params.login_hint, ANN.address);
    const token = log.find((e) => e.endpoint === "token" && e.provider === "google");
    assert.equal(token.grantType, "authorization_code");
    assert.ok(token.codeVerifierLength >= 43);
    assert.equal(token.outcome, "tokens");
  });

  test("the user denying consent leaves no half-made inbox", async () => {
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { deny: true } });
    await inbox.startConnect(ANN.address);
    await inbox.chooseAndContinue("Gmail");
    assert.match(await inbox.flowError(), /didn't|did not|denied|declined/i);
    assert.deepEqual(await inbox.send({ type: "listAccounts" }), { ok: true, value: [] });
  });

  test("a redirect with the wrong state is refused before any token request", async () => {
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { stateOverride: "forged-state" } });
    await inbox.startConnect(ANN.address);
    await inbox.chooseAndContinue("Gmail");
    await inbox.flowError();
    assert.equal((await oauthLog()).filter((e) => e.endpoint === "token").length, 0);
  });

  test("signing in as a different account is refused and its tokens are revoked", async () => {
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { signInAs: "carol@acme-corp.example" } });
    await inbox.startConnect(ANN.address);
    await inbox.chooseAndContinue("Gmail");
    const error = await inbox.flowError();
    assert.match(error, /carol@acme-corp\.example/);
    assert.match(error, /ann@acme-corp\.example/);
    assert.ok((await oauthLog()).some((e) => e.endpoint === "revoke"), "the wrong account's token was revoked");
    assert.deepEqual((await inbox.send({ type: "listAccounts" })).value, []);
  });

  test("a Workspace admin block gets its own message", async () => {
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { adminBlocked: true } });
    await inbox.startConnect(ANN.address);
    await inbox.chooseAndContinue("Gmail");
    assert.match(await inbox.flowError(), /admin/i);
  });

  test("a token endpoint 500 is retried; a 400 is a clear error", async () => {
    await sandbox.control("POST", "/faults", { host: "oauth2.googleapis.com", pathPrefix: "/token", status: 500, times: 1 });
    assert.match(await inbox.connect(ANN.address, "Gmail"), /Connected/);
    const exchanges = await sandbox.control("GET", "/requests?host=oauth2.googleapis.com&pathPrefix=/token");
    assert.equal(exchanges.filter((r) => r.faultId !== undefined).length, 1, "the 500 was served");
    assert.equal(exchanges.filter((r) => r.faultId === undefined).length, 1, "and the retry succeeded");

    await sandbox.control("POST", "/faults", {
      host: "oauth2.googleapis.com",
      pathPrefix: "/token",
      status: 400,
      headers: { "Content-Type": "application/json" },
      body: '{"error":"invalid_grant","error_description":"Bad Request"}',
      times: 1,
    });
    await inbox.startConnect("carol@acme-corp.example");
    await inbox.chooseAndContinue("Gmail");
    assert.ok((await inbox.flowError()).length > 10);
  });

  test("an expired access token is refreshed once and the inbox stays connected", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await sandbox.control("POST", "/clock", { advanceSeconds: 3700 });
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => inbox.send({ type: "checkAccount", address: ANN.address })),
    );
    assert.ok(replies.every((r) => r.ok && r.value.outcome === "ok"), JSON.stringify(replies));
    const refreshes = (await oauthLog()).filter((e) => e.endpoint === "token" && e.grantType === "refresh_token");
    assert.equal(refreshes.length, 1, "concurrent checks share one refresh");
    assert.equal(await inbox.accountState(ANN.address), "connected");
  });

  test("invalid_grant puts the inbox in 'needs reauthentication'; Reconnect fixes it", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await sandbox.control("POST", "/oauth/revoke-consent", { provider: "google", address: ANN.address });
    await sandbox.control("POST", "/clock", { advanceSeconds: 3700 });
    const reply = await inbox.send({ type: "checkAccount", address: ANN.address });
    assert.equal(reply.value.outcome, "needsReauthentication");
    await inbox.waitAccountState(ANN.address, "needsReauthentication");
    await inbox.account(ANN.address).getByRole("button", { name: "Reconnect" }).click();
    await inbox.waitAccountState(ANN.address, "connected");
  });

  test("a 429 with Retry-After is honoured before retrying", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await sandbox.control("DELETE", "/requests");
    await sandbox.control("POST", "/faults", {
      host: "gmail.googleapis.com",
      pathPrefix: "/gmail/v1/users/me/settings/sendAs",
      status: 429,
      headers: { "Retry-After": "2" },
      times: 1,
    });
    const started = Date.now();
    const reply = await inbox.send({ type: "checkAccount", address: ANN.address });
    assert.equal(reply.value.outcome, "ok");
    assert.ok(Date.now() - started >= 2000, "waited at least Retry-After");
    const calls = await sandbox.control("GET", "/requests?host=gmail.googleapis.com");
    assert.equal(calls.length, 2);
  });

  test("when Google does not confirm the revocation, disconnect still deletes the tokens and says what to do", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await sandbox.control("POST", "/faults", { host: "oauth2.googleapis.com", pathPrefix: "/revoke", status: 503, times: 1 });
    await inbox.account(ANN.address).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(ANN.address, "disconnected");
    const notice = await inbox.page.locator(".notice").innerText();
    assert.match(notice, /did not confirm/);
    assert.match(notice, /myaccount\.google\.com\/permissions/);
    const reply = await inbox.send({ type: "checkAccount", address: ANN.address });
    assert.equal(reply.value.outcome, "failed", "no tokens are left to use");
  });

  test("an inbox left mid-sign-in by a stopped service worker returns to its previous state", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await inbox.account(ANN.address).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(ANN.address, "disconnected");
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { requireClick: true } });
    const consentWindow = browser.context.waitForEvent("page", { predicate: (p) => p.url().includes("accounts.google.com") });
    await inbox.account(ANN.address).getByRole("button", { name: "Connect again" }).click();
    const consent = await consentWindow;
    await inbox.waitAccountState(ANN.address, "authorizing");
    // Chrome stops idle workers at will; this one dies with the sign-in open.
    const cdp = await browser.context.newCDPSession(inbox.page);
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await consent.close();
    const reopened = await InboxPage.open(browser);
    await reopened.waitAccountState(ANN.address, "disconnected");
    assert.equal((await oauthLog()).filter((e) => e.endpoint === "token").length, 1, "only the first sign-in got tokens");
  });

  test("a connection reset is retried; a malformed token response is a clear error, not a crash", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await sandbox.control("POST", "/faults", {
      host: "gmail.googleapis.com",
      pathPrefix: "/gmail/v1/users/me/settings/sendAs",
      reset: true,
      times: 2, // Chromium retries an idempotent request once on a reset keep-alive connection
    });
    assert.equal((await inbox.send({ type: "checkAccount", address: ANN.address })).value.outcome, "ok");
    const sendAs = await sandbox.control("GET", "/requests?host=gmail.googleapis.com&pathPrefix=/gmail/v1/users/me/settings/sendAs");
    assert.ok(sendAs.some((r) => r.faultId !== undefined), "the reset really happened");
    assert.ok(sendAs.filter((r) => r.faultId === undefined).length >= 2, "and a later attempt went through");

    await sandbox.control("POST", "/faults", { host: "oauth2.googleapis.com", pathPrefix: "/token", malformed: true, times: 1 });
    await inbox.startConnect("carol@acme-corp.example");
    await inbox.chooseAndContinue("Gmail");
    const error = await inbox.flowError();
    assert.ok(error.length > 20, error);
    assert.doesNotMatch(error, /undefined|\[object|SyntaxError/);
    assert.equal((await inbox.send({ type: "ping" })).ok, true);
  });

  test("disconnect revokes at Google with the token in the body, keeps the record, and can connect again", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await sandbox.control("DELETE", "/requests");
    await inbox.account(ANN.address).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(ANN.address, "disconnected");
    const revokes = (await oauthLog()).filter((e) => e.endpoint === "revoke");
    assert.equal(revokes.length, 1);
    assert.equal(revokes[0].tokenInQuery, false, "no token in the URL");
    assert.equal(revokes[0].tokenInBody, true);
    assert.equal(revokes[0].outcome, "revoked");
    await inbox.account(ANN.address).getByRole("button", { name: "Connect again" }).click();
    await inbox.waitAccountState(ANN.address, "connected");
  });
});

describe("Disconnect racing a refresh, and fresh sign-in secrets", () => {
  test("a refresh that finishes after Disconnect is discarded: nothing is written back and its token is revoked", async () => {
    await inbox.connect(ANN.address, "Gmail");
    const before = new Set((await sandbox.control("GET", "/oauth/tokens")).map((t) => t.token));
    await sandbox.control("POST", "/clock", { advanceSeconds: 3700 });
    // The refresh is answered only after Disconnect has begun; Disconnect's own
    // revocation is slower still, so the refresh's tokens arrive in between.
    await sandbox.control("POST", "/faults", { host: "oauth2.googleapis.com", pathPrefix: "/token", delayMs: 1500, times: 1 });
    await sandbox.control("POST", "/faults", { host: "oauth2.googleapis.com", pathPrefix: "/revoke", delayMs: 3000, times: 1 });
    const check = inbox.send({ type: "checkAccount", address: ANN.address });
    // A fault is dropped once used: the refresh request has reached the token endpoint.
    await until(async () => !(await sandbox.control("GET", "/faults")).some((f) => f.pathPrefix === "/token"), "the refresh request");
    let done = false;
    const disconnect = inbox.send({ type: "disconnect", address: ANN.address }).finally(() => (done = true));
    // What the worker holds in storage, all the while.
    const snapshots = [];
    const snapshot = async () =>
      snapshots.push(JSON.stringify([await browser.worker.evaluate(() => chrome.storage.session.get(null)), await readStore(browser, "secrets")]));
    while (!done) {
      await snapshot();
      await new Promise((r) => setTimeout(r, 100));
    }
    const [checked, disconnected] = await Promise.all([check, disconnect]);
    await snapshot();
    assert.equal(disconnected.ok, true, JSON.stringify(disconnected));

    const late = (await sandbox.control("GET", "/oauth/tokens")).filter((t) => !before.has(t.token));
    assert.ok(late.length >= 1, "the slow refresh did mint a token");
    for (const { token } of late) {
      assert.ok(snapshots.every((s) => !s.includes(token)), "a token from the late refresh was written to storage");
    }
    const revoked = (await oauthLog()).filter((e) => e.endpoint === "revoke").map((e) => e.params.token);
    assert.ok(late.some((t) => revoked.includes(t.token)), `the late token was not revoked: ${JSON.stringify(revoked)}`);
    assert.ok(late.every((t) => t.revoked), "the late token is dead at Google");
    const last = snapshots.at(-1);
    assert.ok(!last.includes("access:") && !last.includes("refreshToken"), `tokens left behind: ${last.slice(0, 300)}`);
    // The check that started the refresh ends with the disconnect, not with the late token.
    assert.equal(checked.value.outcome, "failed", JSON.stringify(checked));
    assert.match(checked.value.message, /disconnected/);
    assert.equal(await inbox.accountState(ANN.address), "disconnected");
    assert.equal((await inbox.send({ type: "ping" })).ok, true);
  });

  test("sign-ins never repeat a PKCE challenge, state or nonce", async () => {
    const rounds = 8;
    for (const [account, provider] of [[ANN, "google"], [BOB, "microsoft"]]) {
      for (let i = 0; i < rounds; i++) {
        const connected = await inbox.send({ type: "connect", address: account.address, connect: provider, automation: true });
        assert.equal(connected.ok, true, JSON.stringify(connected));
        assert.equal((await inbox.send({ type: "disconnect", address: account.address })).ok, true);
      }
    }
    const authorizations = (await oauthLog()).filter((e) => e.endpoint === "authorize");
    assert.equal(authorizations.length, 2 * rounds);
    // The sandbox remembers every state and challenge it was sent in this run.
    assert.deepEqual(authorizations.filter((e) => e.stateSeenBefore || e.challengeSeenBefore), []);
    assert.ok(authorizations.every((e) => e.pkceMethod === "S256" && e.codeChallengeLength >= 43 && e.stateLength >= 43));
    const nonces = authorizations.map((e) => e.params.nonce);
    assert.ok(nonces.every((n) => typeof n === "string" && n.length >= 43), JSON.stringify(nonces));
    assert.equal(new Set(nonces).size, nonces.length, "a nonce was sent twice");
    const verifiers = (await oauthLog()).filter((e) => e.endpoint === "token" && e.grantType === "authorization_code").map((e) => e.params.code_verifier);
    assert.equal(new Set(verifiers).size, 2 * rounds, "a PKCE verifier was used twice");
  });
});

describe("Microsoft 365 / Outlook", () => {
  test("detects Microsoft 365 from MX and connects through the common authority with PKCE and no secret", async () => {
    const detected = await inbox.startConnect(BOB.address);
    assert.match(detected, /Microsoft 365/);
    await inbox.chooseAndContinue("Microsoft");
    assert.match(await inbox.waitConnected(), /Connected bob@contoso\.example/);
    const log = await oauthLog();
    const authorize = log.find((e) => e.endpoint === "authorize" && e.provider === "microsoft");
    assert.equal(authorize.pkceMethod, "S256");
    assert.equal(authorize.tenant, "common");
    assert.equal(authorize.params.redirect_uri, "https://bbimpbbieljienmnelgcbakbkgaiinfn.chromiumapp.org/microsoft");
    const token = log.find((e) => e.endpoint === "token" && e.provider === "microsoft");
    assert.equal(token.clientSecretPresent, false);
    assert.match(token.origin ?? "", /^chrome-extension:\/\//);
    assert.equal(token.outcome, "tokens");
  });

  test("two accounts at once: Gmail and Microsoft both connected", async () => {
    await inbox.connect(ANN.address, "Gmail");
    await inbox.connect(BOB.address, "Microsoft");
    const list = await inbox.accounts();
    assert.deepEqual(
      list.map((a) => `${a.address}:${a.state}`).sort(),
      [`${ANN.address}:connected`, `${BOB.address}:connected`],
    );
  });

  test("the same address cannot connect twice", async () => {
    await inbox.connect(BOB.address, "Microsoft");
    await inbox.startConnect(BOB.address);
    await inbox.button("Connect to Microsoft").click();
    await inbox.button("Continue").click().catch(() => undefined);
    assert.match(await inbox.flowError(), /already connected/);
  });

  test("a shared mailbox cannot be connected as a personal inbox", async () => {
    await sandbox.control("POST", "/seed", {
      // An admin enabled sign-in on the shared mailbox, so only its type gives it away.
      accounts: [
        { provider: "microsoft", address: "support@contoso.example", displayName: "Support", mailboxType: "shared", signInEnabled: true },
      ],
    });
    await inbox.startConnect("support@contoso.example");
    await inbox.chooseAndContinue("Microsoft");
    assert.match(await inbox.flowError(), /shared mailbox/i);
  });
});
