// The stored inboxes outside a connect: the list pages show, the automation
// switch, "needs reauthentication" after a rejected sign-in, and inboxes a
// stopped worker left mid-flow. Each change goes through the core's state
// machine, then to the store, then to open pages.
import type { Account } from "../../shared/inboxes.js";
import type { CoreApi } from "../core/types.js";
import { accountsChanged } from "../state/broadcast.js";
import { loadSettings } from "../state/settings.js";
import * as store from "../state/store.js";
import { holdsCredentials } from "./admission.js";
import { featuresOf } from "./features.js";
import { refused } from "./refused.js";

/**
 * Every inbox, with a warning on any personal inbox the admin's policy also
 * lists as a team inbox (the core's rule: one address can't be both).
 */
export async function listAccounts(core: CoreApi): Promise<Account[]> {
  const [accounts, settings] = await Promise.all([store.listAccounts(), loadSettings()]);
  return Promise.all(
    accounts.map(async (account) => {
      if (!holdsCredentials(account.state)) return account;
      const registry = { personalInboxes: [account.address], teamInboxes: [] };
      const problem = settings.teamInboxes.map((team) => core.checkTeamInbox(registry, team)).find((p) => p);
      // A token state the core can't read (an older worker's) leaves the
      // inbox listed without its features, rather than failing the list.
      const features = await featuresOf(core, account).catch(() => null);
      return problem ? { ...account, features, warning: problem.message } : { ...account, features };
    }),
  );
}

export async function setAutomation(core: CoreApi, address: string, on: boolean): Promise<Account> {
  const account = await store.getAccount(address);
  if (!account) throw refused(core, { kind: "unknownAccount", address });
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

/**
 * At worker start no flow can be running (flows live in the worker's memory),
 * so the core says what an inbox left mid-flow by a stopped worker returns
 * to: the state it had before the flow. (The store opens once the core is
 * loaded: it keys records by the core's mailbox id.)
 */
export async function recoverInterrupted(core: Promise<CoreApi>): Promise<void> {
  const [accounts, loaded] = await Promise.all([store.listAccounts(), core]);
  for (const account of accounts) {
    const state = loaded.inboxAfterInterruption(account.state);
    if (state) await store.putAccount({ ...account, state });
  }
}
