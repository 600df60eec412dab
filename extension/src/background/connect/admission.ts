// What the core's connect rules read about the inboxes already here: the
// admin's policy and the registry of personal and team inboxes.
import { holdsCredentials as coreHoldsCredentials } from "../../../../build/wasm/inlay_connect.js";
import type { Account, ConnectionState } from "../../shared/inboxes.js";
import type { ConnectInput } from "../core/types.js";
import type { Settings } from "../state/settings.js";

/**
 * The core's rule (`ConnectionState::holds_credentials`): the inbox has tokens
 * or a password and no flow is under way. Callable once the core is loaded, as
 * in every handler.
 */
export function holdsCredentials(state: ConnectionState): boolean {
  return coreHoldsCredentials(state);
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
