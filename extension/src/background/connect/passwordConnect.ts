// Connecting an inbox with a password (Exchange, IMAP). The core checks the
// same rules as a sign-in and moves the inbox to "verifying"; the caller's
// `verify` checks the password with the server itself. The record and the
// password are then saved together, in one transaction, or not at all: a
// failed check leaves the inbox as it was and stores no password; so does
// Cancel, even when the server's answer comes after it.
import type { Account, ConnectionState, PasswordKind, ServerSettings } from "../../shared/inboxes.js";
import { errorText, InlayError } from "../../shared/messages.js";
import type { AccountEvent, CoreApi } from "../core/types.js";
import { accountsChanged } from "../state/broadcast.js";
import { loadSettings } from "../state/settings.js";
import * as store from "../state/store.js";
import { admission, holdsCredentials } from "./admission.js";

export interface PasswordRequest {
  address: string;
  connect: PasswordKind;
  automation: boolean;
}

/** What a successful server check produced. */
export interface Verified {
  displayName: string | null;
  server: ServerSettings;
  secrets: store.Secrets;
}

/** Password connects under way, by inbox; Cancel marks one so that its result is never saved. */
const underway = new Map<string, { cancelled: boolean }>();

/** Cancel on a password connect: whatever the server answers next, nothing is saved. */
export function cancelPasswordConnect(address: string): boolean {
  const run = underway.get(store.keyOf(address));
  if (run) run.cancelled = true;
  return run !== undefined;
}

/** Runs the core's admission, then `verify`, then saves; throws InlayError with the reason. */
export async function connectWithPassword(
  core: CoreApi,
  request: PasswordRequest,
  verify: () => Promise<Verified>,
): Promise<Account> {
  const [settings, existing, all] = await Promise.all([
    loadSettings(),
    store.getAccount(request.address),
    store.listAccounts(),
  ]);
  const previousState: ConnectionState = existing?.state ?? { kind: "notConnected" };
  const verifying = core.passwordConnectStart(
    {
      address: request.address.trim(),
      connect: request.connect,
      ...admission(settings, all),
      previousState,
    },
    Date.now(),
  );
  // Progress is shown on an existing record only, so an abandoned first
  // attempt leaves nothing behind.
  if (existing) {
    await store.putAccount({ ...existing, state: verifying });
    accountsChanged();
  }
  const key = store.keyOf(request.address);
  const run = { cancelled: false };
  underway.set(key, run);
  let verified: Verified;
  try {
    verified = await verify();
    if (run.cancelled) {
      const { code, message } = core.passwordCancelled(request.address);
      throw new InlayError(code, message);
    }
  } catch (e) {
    const code = e instanceof InlayError ? e.code : "internal";
    const message = errorText(e);
    if (existing) {
      const event: AccountEvent = run.cancelled ? { kind: "cancelled" } : { kind: "failed", code, message };
      await store.putAccount({ ...existing, state: core.connectionTransition(verifying, event, Date.now()) });
      accountsChanged();
    }
    throw e instanceof InlayError ? e : new InlayError(code, message);
  } finally {
    if (underway.get(key) === run) underway.delete(key);
  }
  const account: Account = {
    address: existing?.address ?? request.address.trim(),
    connect: request.connect,
    displayName: verified.displayName,
    accountType: null,
    automation: existing && holdsCredentials(previousState) ? existing.automation : request.automation,
    state: core.connectionTransition(verifying, { kind: "verified", aliases: [] }, Date.now()),
    server: verified.server,
  };
  await store.saveConnected(account, verified.secrets);
  accountsChanged();
  return account;
}
