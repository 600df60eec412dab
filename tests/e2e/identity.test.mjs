// One mailbox is one inbox: Gmail ignores dots, so a.da@gmail.com and
// ada@gmail.com are one mailbox to the core, and must be one record in the
// worker's IndexedDB (keyed by the core's mailbox id), including records an
// older worker stored apart (the store's version 1 -> 2 migration).
import { after, afterEach, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, readStore, startSandbox, stopWorker } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

let sandbox;
let browser;

// The sandbox's Google is not dot-blind: each spelling is a seeded account.
const DOTTED = { provider: "google", address: "a.da@gmail.com", displayName: "Ada" };
const PLAIN = { provider: "google", address: "ada@gmail.com", displayName: "Ada" };

before(async () => {
  sandbox = await startSandbox();
});
after(async () => sandbox?.stop());

beforeEach(async () => {
  await seed(sandbox, { accounts: [DOTTED, PLAIN] });
  browser = await launchBrowser(sandbox);
});
afterEach(async () => browser?.close());

test("a.da@gmail.com then ada@gmail.com: refused while connected, and one inbox after connecting again", async () => {
  const inbox = await InboxPage.open(browser);
  assert.match(await inbox.connect(DOTTED.address, "Gmail"), /Connected a\.da@gmail\.com/);

  // The registry's rule as before: the same mailbox is already connected.
  await inbox.startConnect(PLAIN.address);
  await inbox.chooseAndContinue("Gmail");
  assert.match(await inbox.flowError(), /a\.da@gmail\.com is already connected/);
  await inbox.page.reload();
  await inbox.page.locator('#core-status[data-state="ready"]').waitFor();
  assert.deepEqual(await inbox.accounts(), [{ address: DOTTED.address, state: "connected" }]);

  // Disconnected, the mailbox connects again under the other spelling: still one inbox.
  await inbox.account(DOTTED.address).getByRole("button", { name: "Disconnect" }).click();
  await inbox.waitAccountState(DOTTED.address, "disconnected");
  assert.match(await inbox.connect(PLAIN.address, "Gmail"), /Connected ada@gmail\.com/);
  const listed = (await inbox.send({ type: "listAccounts" })).value;
  assert.deepEqual(
    listed.map((a) => [a.address, a.state.kind]),
    [[PLAIN.address, "connected"]],
  );
  assert.deepEqual((await readStore(browser, "accounts")).map((r) => r.key), ["ada@gmail.com"]);
  assert.deepEqual((await readStore(browser, "secrets")).map((r) => r.key), ["ada@gmail.com"]);
});

test("records an older worker stored apart are merged when the worker starts: the connected one survives with its secret", async () => {
  const id = browser.extensionId;
  // A page of the extension's origin that sends the worker nothing.
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${id}/config.json`);
  // Stopped for sure before the database is replaced: a worker still running holds it open, and after the
  // replacement answers from a closed connection (the popup's status never became ready in two full runs).
  await stopWorker(browser, page);
  // The version-1 database: keyed by the lower-cased address.
  await page.evaluate(async () => {
    const done = (request) =>
      new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error("the worker still holds the database open"));
      });
    await done(indexedDB.deleteDatabase("inlay"));
    const open = indexedDB.open("inlay", 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore("accounts", { keyPath: "key" });
      open.result.createObjectStore("secrets", { keyPath: "key" });
    };
    const db = await done(open);
    const tx = db.transaction(["accounts", "secrets"], "readwrite");
    const base = { connect: "google", displayName: "Ada", accountType: "personal", automation: false };
    tx.objectStore("accounts").put({
      ...base,
      key: "a.da@gmail.com",
      address: "A.Da@gmail.com",
      state: { kind: "connected", address: "A.Da@gmail.com", connect: "google", aliases: [], connectedAtMs: 1000 },
    });
    tx.objectStore("secrets").put({ key: "a.da@gmail.com", tokens: { marker: "survivor's tokens" } });
    tx.objectStore("accounts").put({
      ...base,
      key: "ada@gmail.com",
      address: "ada@gmail.com",
      state: { kind: "disconnected", address: "ada@gmail.com", disconnectedAtMs: 5000 },
    });
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });

  // The popup wakes the worker, which opens the database at its current version (2: keys by mailbox id; 3: the CRM's stores; 4: sending's).
  const inbox = await InboxPage.open(browser);
  await inbox.waitAccountState("A.Da@gmail.com", "connected");
  assert.deepEqual(await inbox.accounts(), [{ address: "A.Da@gmail.com", state: "connected" }]);
  // Read from the extension's page: the worker the harness first found was stopped.
  const { version, accounts, secrets } = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("inlay");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(["accounts", "secrets"]);
          const accounts = tx.objectStore("accounts").getAll();
          const secrets = tx.objectStore("secrets").getAll();
          tx.oncomplete = () => {
            resolve({ version: db.version, accounts: accounts.result, secrets: secrets.result });
            db.close();
          };
        };
      }),
  );
  assert.equal(version, 4);
  assert.deepEqual(
    accounts.map((r) => [r.key, r.address, r.state.kind]),
    [["ada@gmail.com", "A.Da@gmail.com", "connected"]],
  );
  assert.deepEqual(
    secrets.map((s) => [s.key, s.tokens?.marker]),
    [["ada@gmail.com", "survivor's tokens"]],
  );
});
