// Disconnect, for every kind of inbox: the provider's revocation where it
// allows one, the secrets deleted, the record kept (disconnected).
import type { DisconnectResult } from "../../shared/messages.js";
import type { CoreApi } from "../core/types.js";
import { execute } from "../io/http.js";
import { endProviderSession } from "../io/identity.js";
import { accountsChanged } from "../state/broadcast.js";
import * as store from "../state/store.js";
import { refused } from "./refused.js";
import * as tokens from "./tokens.js";

/**
 * Revokes where the provider allows it, deletes the tokens, keeps the record.
 * The tokens are marked disconnected first, so a refresh finishing during or
 * after this is discarded instead of written back.
 */
export async function disconnect(core: CoreApi, address: string): Promise<DisconnectResult> {
  const account = await store.getAccount(address);
  if (!account) throw refused(core, { kind: "unknownAccount", address });
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
      await endProviderSession(plan.logoutUrl);
    }
  }
  const state = core.connectionTransition(account.state, { kind: "disconnect" }, Date.now());
  await tokens.forget(address);
  await store.forgetSecrets({ ...account, state });
  accountsChanged();
  return result;
}
