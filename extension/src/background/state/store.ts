// Durable state in the extension origin's IndexedDB (through idb), which
// content scripts and web pages cannot open. Account records and refresh
// tokens live in separate stores so listing accounts never touches secrets.
// Both are keyed by the core's mailbox id, so one mailbox is one record
// (a.da@gmail.com and ada@gmail.com are one Gmail inbox); the record keeps
// the address as the user or provider spells it, for display.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from "idb";
import { mailboxId } from "../../../../build/wasm/inlay_connect.js";
import type { Account, ConnectionState } from "../../shared/inboxes.js";
import { loadCore } from "../core/loader.js";
import { upgradeCrm } from "../crm/schema.js";
import { upgradeSend } from "../send/schema.js";

/**
 * What keeps an inbox signed in; never leaves the worker. OAuth inboxes hold
 * tokens, Exchange and IMAP inboxes the password the user typed.
 */
export interface Secrets {
  /** The core's token state (access token, expiries, refresh token). */
  tokens?: unknown;
  /** Exchange, or IMAP (and SMTP when it uses the same credentials). */
  password?: string;
  /** IMAP only: the SMTP password when outgoing mail has its own credentials. */
  smtpPassword?: string;
}

interface InlayDb extends DBSchema {
  accounts: { key: string; value: Account & { key: string } };
  secrets: { key: string; value: Secrets & { key: string } };
}

/** The core's rules the store keys and merges records by. */
export interface StoreCore {
  mailboxId(address: string): string;
  /** Of several records of one mailbox, the index of the one to keep. */
  survivingRecord(states: ConnectionState[]): number | undefined;
}

/**
 * 1: keyed by the lower-cased address. 2: keyed by the core's mailbox id
 * (records of one mailbox merged). 3: the CRM's stores (crm/schema.ts).
 * 4: sending's stores (send/schema.ts).
 */
export const DB_VERSION = 4;

let db: Promise<IDBPDatabase<InlayDb>> | undefined;

// The database opens once the core is loaded: its keys, and the migration
// of older records, are the core's rules.
function open(): Promise<IDBPDatabase<InlayDb>> {
  db ??= loadCore().then((core) =>
    openDB<InlayDb>("inlay", DB_VERSION, {
      async upgrade(database, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          database.createObjectStore("accounts", { keyPath: "key" });
          database.createObjectStore("secrets", { keyPath: "key" });
        }
        upgradeCrm(database as IDBPDatabase<unknown>, oldVersion);
        upgradeSend(database as IDBPDatabase<unknown>, oldVersion);
        if (oldVersion === 1) await rekey(tx, core);
      },
    }),
  );
  return db;
}

/** The same database for sending's stores (send/). */
export const sendDatabase = crmDatabase;

/** The same database for the CRM's stores (crm/), which its own code types. */
export function crmDatabase(): Promise<IDBPDatabase<unknown>> {
  return open() as Promise<IDBPDatabase<unknown>>;
}

type Upgrade = IDBPTransaction<InlayDb, ("accounts" | "secrets")[], "versionchange">;

/**
 * Version 1 to 2: every record moves to its mailbox id. Where records of one
 * mailbox meet (a.da@gmail.com and ada@gmail.com, stored apart by version 1),
 * the core picks the survivor (the one holding credentials, then the most
 * recent); it keeps its own secret and the others' records and secrets go.
 * Runs inside the upgrade's transaction: all of it, or nothing.
 */
async function rekey(tx: Upgrade, core: StoreCore): Promise<void> {
  const accounts = tx.objectStore("accounts");
  const secrets = tx.objectStore("secrets");
  const byId = new Map<string, (Account & { key: string })[]>();
  for (const row of await accounts.getAll()) {
    const id = core.mailboxId(row.address);
    byId.set(id, [...(byId.get(id) ?? []), row]);
  }
  const oldSecrets = new Map((await secrets.getAll()).map((s) => [s.key, s]));
  await accounts.clear();
  await secrets.clear();
  for (const [id, rows] of byId) {
    const keep = rows.length === 1 ? rows[0]! : rows[survivor(core, rows)] ?? rows[0]!;
    await accounts.put({ ...keep, key: id });
    const secret = oldSecrets.get(keep.key);
    if (secret) await secrets.put({ ...secret, key: id });
    for (const row of rows) oldSecrets.delete(row.key);
  }
  // Secrets without a record (saved before their record, e.g. a renewal of
  // an inbox being replaced) keep their place under the new key.
  for (const secret of oldSecrets.values()) {
    const id = core.mailboxId(secret.key);
    if (!byId.has(id)) await secrets.put({ ...secret, key: id });
  }
}

/**
 * The core's pick among records of one mailbox. A state the core cannot read
 * (written by some older worker) must not abort the upgrade, which would
 * leave the database unopenable: then the first record stays.
 */
function survivor(core: StoreCore, rows: Account[]): number {
  try {
    return core.survivingRecord(rows.map((r) => r.state)) ?? 0;
  } catch {
    return 0;
  }
}

/** One inbox per mailbox: the core's mailbox id (callable once the core is loaded, as in every handler). */
export function keyOf(address: string): string {
  return mailboxId(address);
}

export async function listAccounts(): Promise<Account[]> {
  const rows = await (await open()).getAll("accounts");
  return rows.map(({ key: _key, ...account }) => account);
}

export async function getAccount(address: string): Promise<Account | undefined> {
  const database = await open();
  const row = await database.get("accounts", keyOf(address));
  if (!row) return undefined;
  const { key: _key, ...account } = row;
  return account;
}

export async function putAccount(account: Account): Promise<void> {
  const database = await open();
  await database.put("accounts", { ...account, key: keyOf(account.address) });
}

export async function getSecrets(address: string): Promise<Secrets | undefined> {
  const database = await open();
  return database.get("secrets", keyOf(address));
}

/** Saves the account and its secrets together: both or neither. */
export async function saveConnected(account: Account, secrets: Secrets): Promise<void> {
  const tx = (await open()).transaction(["accounts", "secrets"], "readwrite");
  const key = keyOf(account.address);
  await Promise.all([
    tx.objectStore("accounts").put({ ...account, key }),
    tx.objectStore("secrets").put({ ...secrets, key }),
    tx.done,
  ]);
}

export async function putSecrets(address: string, secrets: Secrets): Promise<void> {
  const database = await open();
  await database.put("secrets", { ...secrets, key: keyOf(address) });
}

/** Deletes the account's secrets and records its new state, atomically. */
export async function forgetSecrets(account: Account): Promise<void> {
  const tx = (await open()).transaction(["accounts", "secrets"], "readwrite");
  const key = keyOf(account.address);
  await Promise.all([
    tx.objectStore("secrets").delete(key),
    tx.objectStore("accounts").put({ ...account, key }),
    tx.done,
  ]);
}

export async function deleteAccount(address: string): Promise<void> {
  const tx = (await open()).transaction(["accounts", "secrets"], "readwrite");
  const key = keyOf(address);
  await Promise.all([tx.objectStore("accounts").delete(key), tx.objectStore("secrets").delete(key), tx.done]);
}
