// Connecting a Google or Microsoft inbox: connect, reconnect and cancel from
// the pages, and Microsoft's silent renewal. Each builds the core's connect
// input (policy, registry, OAuth clients), runs the core's flow
// (oauthFlow.ts) and keeps the stored record, the tokens and the UI in step.
import { isPasswordKind, type Account, type ConnectionKind, type ConnectionState } from "../../shared/inboxes.js";
import { InlayError, type ConnectReply } from "../../shared/messages.js";
import type { ConnectInput, CoreApi } from "../core/types.js";
import type { OptionalFeatures } from "../core/generated/OptionalFeatures.js";
import { redirectBase } from "../io/identity.js";
import { accountsChanged } from "../state/broadcast.js";
import { loadSettings, oauthClient } from "../state/settings.js";
import * as store from "../state/store.js";
import { admission } from "./admission.js";
import * as flows from "./oauthFlow.js";
import { refused } from "./refused.js";
import * as tokens from "./tokens.js";

async function connectInput(
  address: string,
  connect: ConnectionKind,
  automation: boolean,
  mode: ConnectInput["mode"],
  previousState: ConnectionState,
  optionalFeatures: OptionalFeatures = {},
  grantedScopes: string[] = [],
): Promise<ConnectInput> {
  const settings = await loadSettings();
  return {
    address,
    connect,
    automation,
    clients: { google: oauthClient(settings, "google"), microsoft: oauthClient(settings, "microsoft") },
    redirectBase: redirectBase(),
    ...admission(settings, await store.listAccounts()),
    mode,
    previousState,
    optionalFeatures,
    grantedScopes,
  };
}

/** The optional features on for a stored inbox (read back from its token state), kept by every sign-in. */
async function featuresOn(core: CoreApi, account: Account): Promise<OptionalFeatures> {
  const held = await tokens.stored(account.address);
  try {
    return held ? core.inboxFeatures(account.connect, held).on : {};
  } catch {
    // A token state the core can't read (an older worker's) must not stop
    // the sign-in that replaces it: no optional feature is kept.
    return {};
  }
}

/**
 * Runs a connect (or reconnect) flow to its end and stores the outcome: the
 * account, or the core's error when it says the person ended the flow
 * (`cancelled`); any other failure is thrown.
 */
async function runConnect(
  core: CoreApi,
  input: ConnectInput,
  existing: Account | undefined,
): Promise<{ kind: "connected"; account: Account } | { kind: "cancelled"; error: InlayError }> {
  // Progress is stored on the record only for inboxes that already have one,
  // so an abandoned first attempt leaves nothing behind.
  const onState = async (state: ConnectionState) => {
    if (existing) {
      await store.putAccount({ ...existing, state });
      accountsChanged();
    }
  };
  const end = await flows.run(core, input, onState);
  if (end.kind === "failed") {
    if (existing) await store.putAccount({ ...existing, state: end.accountState });
    accountsChanged();
    const error = new InlayError(end.code, end.message);
    if (end.cancelled) return { kind: "cancelled", error };
    throw error;
  }
  const account: Account = {
    address: end.account.address,
    connect: end.account.connect,
    displayName: end.account.displayName,
    accountType: end.account.accountType,
    automation: input.automation,
    state: end.accountState,
  };
  if (existing && store.keyOf(existing.address) !== store.keyOf(account.address)) await store.deleteAccount(existing.address);
  await tokens.saveConnected(account, end.tokens);
  accountsChanged();
  return { kind: "connected", account };
}

export async function connect(
  core: CoreApi,
  address: string,
  kind: ConnectionKind,
  automation: boolean,
): Promise<ConnectReply> {
  const existing = await store.getAccount(address);
  const previous: ConnectionState = existing?.state ?? { kind: "notConnected" };
  // A disconnected inbox connects again; a connected one is refused by the core's rules.
  const input = await connectInput(address, kind, automation, "connect", previous);
  const end = await runConnect(core, input, existing);
  return end.kind === "connected" ? end : { kind: "cancelled" };
}

export async function reconnect(core: CoreApi, address: string): Promise<Account> {
  const existing = await store.getAccount(address);
  if (!existing) throw refused(core, { kind: "unknownAccount", address });
  if (isPasswordKind(existing.connect)) {
    // A password inbox has no sign-in window to reopen: the pages open its form to type the password again.
    throw refused(core, { kind: "passwordNeeded", address: existing.address, connect: existing.connect });
  }
  // A disconnected inbox has no tokens left: it connects again from scratch.
  const mode = existing.state.kind === "disconnected" ? "connect" : "reconnect";
  const on = mode === "reconnect" ? await featuresOn(core, existing) : {};
  const input = await connectInput(existing.address, existing.connect, existing.automation, mode, existing.state, on);
  // The inbox's list reports a reconnect the person ended, in the core's words.
  const end = await runConnect(core, input, existing);
  if (end.kind === "cancelled") throw end.error;
  return end.account;
}

export async function cancelConnect(core: CoreApi, address: string): Promise<{ cancelled: boolean }> {
  const cancelled = await flows.cancel(address);
  accountsChanged();
  return { cancelled };
}

/** Microsoft silent renewal: the same flow, without a window. */
export function silentReauthorizer(core: CoreApi): tokens.SilentReauthorizer {
  return async (address) => {
    const account = await store.getAccount(address);
    if (!account) return { kind: "failed", message: core.refusal({ kind: "unknownAccount", address }).message };
    const on = await featuresOn(core, account);
    const input = await connectInput(account.address, account.connect, account.automation, "silent", account.state, on);
    const end = await flows.run(core, input, async () => {});
    return end.kind === "connected" ? { kind: "connected", tokens: end.tokens } : { kind: "failed", message: end.message };
  };
}

/**
 * Adds optional features to a connected Google or Microsoft inbox: the core's
 * flow in `addFeatures` mode asks only for the scopes the stored tokens lack
 * (Google: include_granted_scopes), and the new token state, listing every
 * feature's scope, replaces the old one with the record.
 */
export async function addFeatures(core: CoreApi, address: string, wanted: OptionalFeatures): Promise<Account> {
  const existing = await store.getAccount(address);
  if (!existing) throw refused(core, { kind: "unknownAccount", address });
  const held = await tokens.stored(existing.address);
  const granted = ((held?.scopes as string[] | undefined) ?? []).slice();
  const input = await connectInput(existing.address, existing.connect, existing.automation, "addFeatures", existing.state, wanted, granted);
  const end = await runConnect(core, input, existing);
  if (end.kind === "cancelled") throw end.error;
  return end.account;
}
