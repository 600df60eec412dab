// Durable state in the extension origin's IndexedDB (through idb), which
// content scripts and web pages cannot open. Account records and refresh
// tokens live in separate stores so listing accounts never touches secrets.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Account } from "../../shared/inboxes.js";

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

let db: Promise<IDBPDatabase<InlayDb>> | undefined;

function open(): Promise<IDBPDatabase<InlayDb>> {
  db ??= openDB<InlayDb>("inlay", 1, {
    upgrade(database) {
      database.createObjectStore("accounts", { keyPath: "key" });
      database.createObjectStore("secrets", { keyPath: "key" });
    },
  });
  return db;
}

/** One inbox per address, whatever its case. */
export function keyOf(address: string): string {
  return address.trim().toLowerCase();
}

export async function listAccounts(): Promise<Account[]> {
  const rows = await (await open()).getAll("accounts");
  return rows.map(({ key: _key, ...account }) => account);
}

export async function getAccount(address: string): Promise<Account | undefined> {
  const row = await (await open()).get("accounts", keyOf(address));
  if (!row) return undefined;
  const { key: _key, ...account } = row;
  return account;
}

export async function putAccount(account: Account): Promise<void> {
  await (await open()).put("accounts", { ...account, key: keyOf(account.address) });
}

export async function getSecrets(address: string): Promise<Secrets | undefined> {
  return (await open()).get("secrets", keyOf(address));
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
  await (await open()).put("secrets", { ...secrets, key: keyOf(address) });
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
