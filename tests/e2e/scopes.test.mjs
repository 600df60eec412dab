// Optional inbox features and incremental consent, end to end: turning on the
// Sent check (Gmail) or deferred delivery (Microsoft) for a connected inbox
// shows the core's disclosure, then a second sign-in against the sandbox's
// OAuth fakes that asks only for the new permission (Google:
// include_granted_scopes), and the stored grant (what the outbox reads as
// grantedScopes) then holds it; turning it off takes it out again.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, readStore, startSandbox, until } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

let sandbox;
let browser;
let inbox;

const ANN = { provider: "google", address: "ann@acme-corp.example", displayName: "Ann Archer" };
const BOB = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker" };
const DNS = [
  { name: "acme-corp.example", type: "MX", data: "1 aspmx.l.google.com." },
  { name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." },
];
const METADATA = "https://www.googleapis.com/auth/gmail.metadata";
const SEND = "https://www.googleapis.com/auth/gmail.send";

before(async () => {
  sandbox = await startSandbox();
});
after(async () => sandbox?.stop());

beforeEach(async () => {
  await seed(sandbox, { accounts: [ANN, BOB], dns: DNS });
  browser = await launchBrowser(sandbox);
  inbox = await InboxPage.open(browser);
});
afterEach(async () => browser?.close());

const oauthLog = () => sandbox.control("GET", "/oauth/log");
const authorizations = async (provider) => (await oauthLog()).filter((e) => e.endpoint === "authorize" && e.provider === provider);

/** The token state stored for an inbox (its `scopes` are the outbox's grantedScopes). */
async function storedScopes(address) {
  const secrets = await readStore(browser, "secrets");
  const held = secrets.find((s) => s.key === address.toLowerCase());
  assert.ok(held?.tokens, `stored tokens for ${address}`);
  return held.tokens.scopes;
}

async function features(address) {
  const listed = await inbox.send({ type: "listAccounts" });
  return listed.value.find((a) => a.address === address).features;
}

describe("Gmail: the Sent check", () => {
  test("turning it on shows why, asks Google for gmail.metadata only, and the stored grant then holds it", async () => {
    assert.match(await inbox.connect(ANN.address, "Gmail"), /Connected/);
    const first = await authorizations("google");
    assert.equal(first.length, 1);
    assert.equal(first[0].params.include_granted_scopes, undefined, "the first connect asks for an exact grant");
    assert.ok(!first[0].params.scope.includes("gmail.metadata"));
    assert.ok(!(await storedScopes(ANN.address)).includes(METADATA));
    const before = await features(ANN.address);
    assert.deepEqual(before.available, ["sentCheck"]);
    assert.equal(before.deliversWhileClosed, false);

    // The switch in the inbox list: the disclosure first, then the sign-in.
    const row = inbox.account(ANN.address);
    await row.locator('[data-feature="sentCheck"] input').click();
    const disclosure = inbox.page.locator('.feature-disclosure[data-feature="sentCheck"]');
    await disclosure.waitFor({ timeout: 10_000 });
    const words = await disclosure.innerText();
    assert.match(words, /gmail\.metadata/);
    assert.match(words, /never the text/);
    assert.match(words, /all of Inlay's access/, "says Google can't take back one permission");
    assert.equal((await authorizations("google")).length, 1, "nothing is asked before Continue");
    await disclosure.getByRole("button", { name: "Continue" }).click();
    await until(async () => (await features(ANN.address))?.on?.sentCheck === true, "the Sent check to be on");
    await row.locator('[data-feature="sentCheck"] input:checked').waitFor({ timeout: 10_000 });

    const second = (await authorizations("google"))[1];
    assert.ok(second, "a second sign-in");
    assert.equal(second.params.scope, `openid email profile ${METADATA}`, "only the new permission (and who you are)");
    assert.equal(second.params.include_granted_scopes, "true");
    const scopes = await storedScopes(ANN.address);
    assert.ok(scopes.includes(METADATA) && scopes.includes(SEND), JSON.stringify(scopes));
    await inbox.waitAccountState(ANN.address, "connected");

    // Off: no sign-in, and the outbox no longer gets the scope.
    await inbox.send({ type: "setFeature", address: ANN.address, feature: "sentCheck", on: false });
    assert.ok(!(await storedScopes(ANN.address)).includes(METADATA));
    assert.ok((await storedScopes(ANN.address)).includes(SEND));
    assert.equal((await authorizations("google")).length, 2);
  });

  test("deferred delivery is refused for Gmail in words", async () => {
    assert.match(await inbox.connect(ANN.address, "Gmail"), /Connected/);
    const answer = await inbox.send({ type: "setFeature", address: ANN.address, feature: "scheduledDelivery", on: true });
    assert.equal(answer.ok, false);
    assert.match(answer.error.message, /browser is open/);
    assert.equal((await authorizations("google")).length, 1);
  });

  test("declining the new permission keeps the inbox as it was", async () => {
    assert.match(await inbox.connect(ANN.address, "Gmail"), /Connected/);
    const held = await storedScopes(ANN.address);
    await sandbox.control("POST", "/oauth/scenario", { provider: "google", scenario: { deny: true } });
    const answer = await inbox.send({ type: "setFeature", address: ANN.address, feature: "sentCheck", on: true });
    assert.equal(answer.ok, false);
    assert.deepEqual(await storedScopes(ANN.address), held);
    await inbox.waitAccountState(ANN.address, "connected");
    assert.ok(!(await oauthLog()).some((e) => e.endpoint === "revoke"), "the inbox's grant was not revoked");
  });
});

describe("Microsoft: deliver scheduled email with the browser closed", () => {
  test("turning it on asks for Mail.ReadWrite, and the inbox then delivers with the browser closed", async () => {
    assert.match(await inbox.connect(BOB.address, "Microsoft"), /Connected/);
    assert.equal((await features(BOB.address)).deliversWhileClosed, false);
    const disclosure = await inbox.send({ type: "featureDisclosure", address: BOB.address, feature: "scheduledDelivery" });
    assert.deepEqual(
      disclosure.value.scopes.map((s) => s.scope),
      ["Mail.ReadWrite"],
    );
    const answer = await inbox.send({ type: "setFeature", address: BOB.address, feature: "scheduledDelivery", on: true });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.value.deliversWhileClosed, true);
    const second = (await authorizations("microsoft"))[1];
    assert.ok(second.params.scope.split(" ").includes("Mail.ReadWrite"));
    assert.equal(second.params.include_granted_scopes, undefined);
    const scopes = await storedScopes(BOB.address);
    assert.ok(scopes.includes("Mail.ReadWrite") && scopes.includes("Mail.Send"), JSON.stringify(scopes));
    await inbox.account(BOB.address).locator('.delivery[data-closed="true"]').waitFor({ timeout: 10_000 });
  });
});
