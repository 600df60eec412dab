// The inbox requests pages make: list, detect, disclose, connect, cancel,
// reconnect, disconnect, automation. Each one asks the core what to do and
// keeps the stored record, the tokens and the UI in step.
import { KIND_NAMES, type Account, type ConnectionKind, type ConnectionState, type Detection, type Disclosure } from "../shared/accounts.js";
import { accountsChanged } from "./broadcast.js";
import type { ConnectInput, CoreApi } from "./coreTypes.js";
import { execute } from "./executor.js";
import * as flows from "./flows.js";
import { randomBytes } from "./random.js";
import { loadSettings, oauthClient, type Settings } from "./settings.js";
import * as store from "./store.js";
import * as tokens from "./tokens.js";

/** An error with a stable code and words for the user; the router passes both on. */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The inbox has credentials (tokens or a password): connected, or waiting for the user. */
export function holdsCredentials(state: ConnectionState): boolean {
  return state.kind === "connected" || state.kind === "needsReauthentication";
}

/**
 * Every inbox, with a warning on any personal inbox the admin's policy also
 * lists as a team inbox (the core's rule: one address can't be both).
 */
export async function listAccounts(core: CoreApi): Promise<Account[]> {
  const [accounts, settings] = await Promise.all([store.listAccounts(), loadSettings()]);
  return accounts.map((account) => {
    if (!holdsCredentials(account.state)) return account;
    const registry = { personalInboxes: [account.address], teamInboxes: [] };
    const problem = settings.teamInboxes.map((team) => core.checkTeamInbox(registry, team)).find((p) => p);
    return problem ? { ...account, warning: problem.message } : account;
  });
}

export async function detect(core: CoreApi, address: string): Promise<Detection> {
  const step = core.detectStart(address);
  if (step.kind === "done") return step.detection;
  return core.detectFinish(address, await execute(step.request));
}

export function disclosure(core: CoreApi, provider: ConnectionKind, automation: boolean): Disclosure {
  return core.disclosure(provider, automation);
}

async function connectInput(
  address: string,
  provider: ConnectionKind,
  automation: boolean,
  mode: ConnectInput["mode"],
  previousState: ConnectionState,
): Promise<ConnectInput> {
  const settings = await loadSettings();
  return {
    address,
    provider,
    automation,
    clients: { google: oauthClient(settings, "google"), microsoft: oauthClient(settings, "microsoft") },
    redirectBase: chrome.identity.getRedirectURL(),
    ...admission(settings, await store.listAccounts()),
    mode,
    previousState,
  };
}

/** What the core's connect rules read: the admin's policy, and every connected inbox (it leaves out the one reconnecting). */
export function admission(settings: Settings, accounts: Account[]): Pick<ConnectInput, "policy" | "registry"> {
  return {
    policy: { seat: settings.seat, allowedKinds: settings.allowedProviders },
    registry: {
      personalInboxes: accounts.filter((a) => holdsCredentials(a.state)).map((a) => a.address),
      teamInboxes: settings.teamInboxes,
    },
  };
}

/** Runs a connect (or reconnect) flow to its end and stores the outcome. */
async function runConnect(core: CoreApi, input: ConnectInput, existing: Account | undefined): Promise<Account> {
  const started = core.connectStart(input, randomBytes(96), Date.now());
  // Progress is stored on the record only for inboxes that already have one,
  // so an abandoned first attempt leaves nothing behind.
  const onState = async (state: ConnectionState) => {
    if (existing) {
      await store.putAccount({ ...existing, state });
      accountsChanged();
    }
  };
  const end = await flows.run(core, input.address, started, onState);
  if (end.kind === "failed") {
    if (existing) await store.putAccount({ ...existing, state: end.accountState });
    accountsChanged();
    throw new UserError(end.code, end.message);
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
  await store.saveConnected(account, { tokens: { ...end.tokens, accessToken: "", expiresAtMs: 0 } });
  await tokens.save(account.address, end.tokens);
  accountsChanged();
  return account;
}

export async function connect(
  core: CoreApi,
  address: string,
  provider: ConnectionKind,
  automation: boolean,
): Promise<Account> {
  const existing = await store.getAccount(address);
  const previous: ConnectionState = existing?.state ?? { kind: "notConnected" };
  // A disconnected inbox connects again; a connected one is refused by the core's rules.
  const input = await connectInput(address, provider, automation, "connect", previous);
  return runConnect(core, input, existing);
}

export async function reconnect(core: CoreApi, address: string): Promise<Account> {
  const existing = await store.getAccount(address);
  if (!existing) throw new UserError("unknownAccount", `${address} is not connected to Inlay.`);
  if (existing.connect === "imap" || existing.connect === "exchange") {
    // A password inbox has no sign-in window to reopen: the pages open its form to type the password again.
    throw new UserError("passwordNeeded", `To reconnect ${existing.address}, type its password again in the ${KIND_NAMES[existing.connect]} form.`);
  }
  // A disconnected inbox has no tokens left: it connects again from scratch.
  const mode = existing.state.kind === "disconnected" ? "connect" : "reconnect";
  const input = await connectInput(existing.address, existing.connect, existing.automation, mode, existing.state);
  return runConnect(core, input, existing);
}

export async function cancelConnect(core: CoreApi, address: string): Promise<{ cancelled: boolean }> {
  const cancelled = await flows.cancel(core, address);
  accountsChanged();
  return { cancelled };
}

/** Microsoft silent renewal: the same flow, without a window. */
export function silentReauthorizer(core: CoreApi): tokens.SilentReauthorizer {
  return async (address) => {
    const account = await store.getAccount(address);
    if (!account) return { kind: "failed", message: `${address} is not connected to Inlay.` };
    const input = await connectInput(account.address, account.connect, account.automation, "silent", account.state);
    const end = await flows.run(core, address, core.connectStart(input, randomBytes(96), Date.now()), async () => {});
    return end.kind === "connected" ? { kind: "connected", tokens: end.tokens } : { kind: "failed", message: end.message };
  };
}

export interface DisconnectResult {
  /** Whether the provider confirmed the revocation. */
  revoked: boolean;
  /** What the user still has to do at the provider, if anything. */
  instructions: string | null;
  consentUrl: string | null;
}

/**
 * Revokes where the provider allows it, deletes the tokens, keeps the record.
 * The tokens are marked disconnected first, so a refresh finishing during or
 * after this is discarded instead of written back.
 */
export async function disconnect(core: CoreApi, address: string): Promise<DisconnectResult> {
  const account = await store.getAccount(address);
  if (!account) throw new UserError("unknownAccount", `${address} is not connected to Inlay.`);
  const result: DisconnectResult = { revoked: false, instructions: null, consentUrl: null };
  const held = await tokens.disconnect(core, address);
  if (held) {
    const plan = core.revokePlan(account.connect, held, account.accountType ?? "unknown");
    if (plan.kind === "request") {
      Object.assign(result, core.revokeResult(await execute(plan.request)));
    } else {
      result.instructions = plan.instructions;
      result.consentUrl = plan.consentUrl;
      // End the provider's browser session too, so the next sign-in asks again.
      await chrome.identity.launchWebAuthFlow({ url: plan.logoutUrl, interactive: false }).catch(() => undefined);
    }
  }
  const state = core.connectionTransition(account.state, { kind: "disconnect" }, Date.now());
  await tokens.forget(address);
  await store.forgetSecrets({ ...account, state });
  accountsChanged();
  return result;
}

export async function setAutomation(address: string, on: boolean): Promise<Account> {
  const account = await store.getAccount(address);
  if (!account) throw new UserError("unknownAccount", `${address} is not connected to Inlay.`);
  const updated = { ...account, automation: on };
  await store.putAccount(updated);
  accountsChanged();
  return updated;
}

/** Marks an inbox as needing the user after its tokens were rejected for good. */
export async function markNeedsReauthentication(core: CoreApi, address: string, code: string, reason: string): Promise<void> {
  const account = await store.getAccount(address);
  if (!account || !holdsCredentials(account.state)) return;
  const state = core.connectionTransition(account.state, { kind: "tokenRejected", code, reason }, Date.now());
  await store.putAccount({ ...account, state });
  accountsChanged();
}

const IN_PROGRESS = new Set(["detecting", "awaitingConsent", "authorizing", "verifying"]);

/**
 * At worker start no flow can be running (flows live in the worker's memory),
 * so an inbox left mid-flow by a stopped worker goes back, through the core,
 * to the state it had before the flow. The records are read while the core
 * is still loading; the core is awaited only for an inbox to restore.
 */
export async function recoverInterrupted(core: Promise<CoreApi>): Promise<void> {
  for (const account of await store.listAccounts()) {
    if (!IN_PROGRESS.has(account.state.kind)) continue;
    const state = (await core).connectionTransition(account.state, { kind: "cancelled" }, Date.now());
    await store.putAccount({ ...account, state });
  }
}
