// The store's move from version 1 (keyed by the lower-cased address) to
// version 2 (keyed by the core's mailbox id), on a version-1 database as the
// old worker wrote it, with the real core (build/wasm) and fake-indexeddb.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openDB } from "idb";
import init from "../../../../build/wasm/inlay_connect.js";
import initStart from "../../../../build/wasm/inlay_start.js";
import type { Account, ConnectionState } from "../../shared/inboxes.js";
import * as store from "./store.js";

await initStart({ module_or_path: readFileSync("build/wasm/inlay_start_bg.wasm") });
await init({ module_or_path: readFileSync("build/wasm/inlay_connect_bg.wasm") });
// The store loads the core through the loader, which asks Chrome for the modules' URLs (already loaded here).
(globalThis as { chrome?: unknown }).chrome = { runtime: { getURL: (path: string) => path } };

const connected = (address: string, at: number): ConnectionState => ({ kind: "connected", address, connect: "google", aliases: [], connectedAtMs: at });
const disconnected = (address: string, at: number): ConnectionState => ({ kind: "disconnected", address, disconnectedAtMs: at });
const account = (address: string, state: ConnectionState): Account => ({
  address,
  connect: "google",
  displayName: null,
  accountType: null,
  automation: false,
  state,
});

/** A version-1 database: the worker before mailbox ids wrote these rows, keyed by the lower-cased address. */
async function seedVersion1(rows: { account: Account; secret?: string }[], orphanSecrets: string[] = []) {
  const v1 = await openDB("inlay", 1, {
    upgrade(database) {
      database.createObjectStore("accounts", { keyPath: "key" });
      database.createObjectStore("secrets", { keyPath: "key" });
    },
  });
  for (const { account, secret } of rows) {
    const key = account.address.trim().toLowerCase();
    await v1.put("accounts", { ...account, key });
    if (secret) await v1.put("secrets", { password: secret, key });
  }
  for (const address of orphanSecrets) await v1.put("secrets", { password: "orphan", key: address.toLowerCase() });
  v1.close();
}

test("version 1 records move to their mailbox id; records of one mailbox merge, keeping the survivor's secret", async () => {
  await seedVersion1(
    [
      // One Gmail mailbox stored twice: the connected record survives a newer disconnected one.
      { account: account("A.Da@gmail.com", connected("A.Da@gmail.com", 1000)), secret: "ada-live" },
      { account: account("ada@gmail.com", disconnected("ada@gmail.com", 5000)) },
      // Both connected: the most recently connected survives, with its own secret.
      { account: account("bob.b@gmail.com", connected("bob.b@gmail.com", 1000)), secret: "bob-old" },
      { account: account("bobb@googlemail.com", connected("bobb@googlemail.com", 2000)), secret: "bob-new" },
      // Dots matter outside consumer Gmail: two inboxes stay two.
      { account: account("Carl.C@Example.com", connected("Carl.C@Example.com", 1000)), secret: "carl-dot" },
      { account: account("carlc@example.com", connected("carlc@example.com", 1000)), secret: "carl" },
      // A state the core cannot read does not stop the upgrade: the first record of the mailbox stays.
      { account: account("e.ve@gmail.com", { kind: "someOldState" } as unknown as ConnectionState), secret: "eve-first" },
      { account: account("eve@gmail.com", connected("eve@gmail.com", 1000)), secret: "eve-second" },
    ],
    ["d.an@gmail.com"],
  );

  const accounts = await store.listAccounts();
  assert.deepEqual(accounts.map((a) => a.address).sort(), ["A.Da@gmail.com", "Carl.C@Example.com", "bobb@googlemail.com", "carlc@example.com", "e.ve@gmail.com"]);

  // Found whatever the spelling; shown as the user or provider spelt it.
  for (const spelling of ["ada@gmail.com", "a.d.a@googlemail.com", "A.DA@GMAIL.COM"]) {
    const found = await store.getAccount(spelling);
    assert.equal(found?.address, "A.Da@gmail.com", spelling);
    assert.equal(found?.state.kind, "connected");
    assert.equal((await store.getSecrets(spelling))?.password, "ada-live", spelling);
  }
  assert.equal((await store.getSecrets("bob.b@gmail.com"))?.password, "bob-new");
  assert.equal((await store.getSecrets("carl.c@example.com"))?.password, "carl-dot");
  assert.equal((await store.getSecrets("carlc@example.com"))?.password, "carl");
  assert.equal((await store.getSecrets("dan@gmail.com"))?.password, "orphan", "a secret without a record keeps its place");
  assert.equal((await store.getSecrets("eve@gmail.com"))?.password, "eve-first");

  // Every row is keyed by the core's id now; nothing is left under an old key.
  const raw = await openDB("inlay");
  assert.equal(raw.version, store.DB_VERSION);
  assert.deepEqual((await raw.getAllKeys("accounts")).sort(), ["ada@gmail.com", "bobb@gmail.com", "carl.c@example.com", "carlc@example.com", "eve@gmail.com"]);
  assert.deepEqual((await raw.getAllKeys("secrets")).sort(), ["ada@gmail.com", "bobb@gmail.com", "carl.c@example.com", "carlc@example.com", "dan@gmail.com", "eve@gmail.com"]);
  raw.close();

  // Writing a dotted spelling updates the one record instead of adding a second.
  await store.putAccount(account("a.da@gmail.com", disconnected("a.da@gmail.com", 9000)));
  assert.equal((await store.listAccounts()).filter((a) => store.keyOf(a.address) === "ada@gmail.com").length, 1);
});
