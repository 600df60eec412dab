// Optional features of a connected inbox (the Sent check, Microsoft's deferred
// delivery): the disclosure shown before turning one on, turning it on (a
// sign-in for the added scopes only, oauthConnect.addFeatures) or off (its
// scopes leave the stored token state, which the outbox reads), and what the
// inbox list shows. Every rule is the core's (connect/features.rs).
import type { Account, FeatureDisclosure, InboxFeatures, OptionalFeature } from "../../shared/inboxes.js";
import type { CoreApi } from "../core/types.js";
import { accountsChanged } from "../state/broadcast.js";
import * as store from "../state/store.js";
import { addFeatures } from "./oauthConnect.js";
import { refused } from "./refused.js";
import * as tokens from "./tokens.js";

async function accountOf(core: CoreApi, address: string): Promise<Account> {
  const account = await store.getAccount(address);
  if (!account) throw refused(core, { kind: "unknownAccount", address });
  return account;
}

/** The inbox's optional features as the core reads them from its token state. */
export async function featuresOf(core: CoreApi, account: Account): Promise<InboxFeatures> {
  const held = account.connect === "google" || account.connect === "microsoft" ? await tokens.stored(account.address) : undefined;
  return core.inboxFeatures(account.connect, held ?? null);
}

export async function featureDisclosure(core: CoreApi, address: string, feature: OptionalFeature): Promise<FeatureDisclosure> {
  const account = await accountOf(core, address);
  return core.featureDisclosure(account.connect, feature);
}

/** Turns `feature` on (its sign-in) or off; answers the inbox's features after. */
export async function setFeature(core: CoreApi, address: string, feature: OptionalFeature, on: boolean): Promise<InboxFeatures> {
  const account = await accountOf(core, address);
  // Throws notAvailable, in the core's words, for a kind without the feature.
  core.featureDisclosure(account.connect, feature);
  const current = await featuresOf(core, account);
  if (on) {
    if (!current.on[feature]) {
      const wanted = { ...current.on, [feature]: true };
      const updated = await addFeatures(core, account.address, wanted);
      return featuresOf(core, updated);
    }
    return current;
  }
  const held = await tokens.stored(account.address);
  if (held) await tokens.save(account.address, core.tokenWithoutFeature(held, feature).tokens);
  accountsChanged();
  return featuresOf(core, account);
}
