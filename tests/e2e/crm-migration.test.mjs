// The `inlay` database as the first version of Inlay left it (version 1:
// inbox records keyed by the lower-cased address), created in Chromium, then
// opened by today's worker: the inbox is kept under its mailbox id and the
// CRM's stores are there to use, in the real IndexedDB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { browserForFile, stopWorker } from "./harness.mjs";
import { CrmApp } from "./crm-ui.mjs";

let browser;

browserForFile((opened) => {
  ({ browser } = opened);
});

test("a version-1 database opens in today's worker: the inbox kept, the CRM's stores usable", async () => {
  // A page of the extension's origin that sends the worker nothing.
  const page = await browser.openExtensionPage("config.json");
  // The worker's first start (install, the database at today's version) is over before it is stopped.
  await new CrmApp(page).value({ type: "ping" });
  await stopWorker(browser, page);
  const made = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const gone = indexedDB.deleteDatabase("inlay");
        gone.onblocked = () => reject(new Error("the database is still open"));
        gone.onsuccess = () => {
          const open = indexedDB.open("inlay", 1);
          open.onupgradeneeded = () => {
            open.result.createObjectStore("accounts", { keyPath: "key" });
            open.result.createObjectStore("secrets", { keyPath: "key" });
          };
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["accounts", "secrets"], "readwrite");
            const address = "A.Da@Gmail.com";
            tx.objectStore("accounts").put({
              key: address.toLowerCase(),
              address,
              connect: "google",
              displayName: null,
              accountType: null,
              automation: false,
              state: { kind: "connected", address, connect: "google", aliases: [], connectedAtMs: 1000 },
            });
            tx.objectStore("secrets").put({ key: address.toLowerCase(), password: "kept" });
            tx.oncomplete = () => {
              db.close();
              resolve(db.version);
            };
            tx.onerror = () => reject(tx.error);
          };
          open.onerror = () => reject(open.error);
        };
      }),
  );
  assert.equal(made, 1);

  // The worker wakes on the next request and upgrades the database in place.
  const crm = new CrmApp(page);
  const accounts = await crm.value({ type: "listAccounts" });
  assert.deepEqual(
    accounts.map((a) => a.address),
    ["A.Da@Gmail.com"],
  );
  const saved = await crm.value({
    type: "crmSave",
    command: { op: "saveContact", contact: { emails: ["ada@analytical.example"], firstName: "Ada", lastName: "Lovelace" } },
  });
  assert.equal(saved.created, true);
  const list = await crm.value({ type: "crmList", kind: "contacts", sort: "name", dir: "asc", offset: 0, limit: 10 });
  assert.deepEqual(
    list.rows.map((c) => c.emails),
    [["ada@analytical.example"]],
  );
  const after = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("inlay");
        open.onsuccess = () => {
          const db = open.result;
          resolve({ version: db.version, stores: [...db.objectStoreNames] });
          db.close();
        };
      }),
  );
  assert.ok(after.version >= 3, `version ${after.version}`);
  for (const name of ["accounts", "secrets", "contacts", "companies", "deals", "tasks", "notes", "timeline", "trash", "imports"]) {
    assert.ok(after.stores.includes(name), `${name} in ${after.stores}`);
  }
  await page.close();
});
