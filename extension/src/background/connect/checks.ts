// "Is this inbox still connected?": one authorized call per inbox (the
// provider's send-as list or profile), run when a page lists the inboxes and
// on an alarm. For Google and Microsoft the core's check machine
// (core/src/accounts/oauth_check.rs) plans the call, reads the answer and
// decides the tries, the one token refresh after a 401 and how long to wait;
// this file runs its steps, answers its token question, and stores the result.
import type { CheckResult } from "../../shared/inboxes.js";
import { drive, type Final } from "../core/drive.js";
import type { CoreCheckResult, CoreError, TokenAnswer, TokenQuestion, WorkerCore } from "../core/types.js";
import { momentBytes } from "../io/random.js";
import { accountsChanged } from "../state/broadcast.js";
import { loadSettings, oauthClient } from "../state/settings.js";
import * as store from "../state/store.js";
import * as exchange from "./exchange.js";
import { checkImapAccount } from "./imap.js";
import { markNeedsReauthentication } from "./inboxState.js";
import { silentReauthorizer } from "./oauthConnect.js";
import { accessToken, invalidate } from "./tokens.js";

export const checked = (outcome: CheckResult["outcome"], message: string | null = null): CheckResult => ({ outcome, message });

/** The core's check result as the page reads it. */
function forPage(result: CoreCheckResult): CheckResult {
  return result.outcome === "ok" ? checked("ok") : checked(result.outcome, result.message);
}

export async function checkAccount(core: WorkerCore, address: string): Promise<CheckResult> {
  const account = await store.getAccount(address);
  if (!account || account.state.kind !== "connected") {
    return checked("failed", core.refusal({ kind: "nothingToCheck", address }).message);
  }
  if (account.connect === "exchange") return exchange.check(core, account);
  if (account.connect === "imap") return checkImapAccount(core, account);
  const client = oauthClient(await loadSettings(), account.connect);
  if (!client) return checked("failed", core.refusal({ kind: "noSignInSetUp", address, connect: account.connect }).message);
  // The core's check machine decides the tries, the one refresh and the waits; this only runs its steps.
  // Its state stays inside the module (a handle), freed once driven.
  const check = new core.CheckMachine(account.connect);
  let end: Final<CoreCheckResult, CoreError>;
  try {
    end = await drive<"accountCheck", TokenQuestion, TokenAnswer, CoreCheckResult, CoreError>(
      check.start(Date.now(), momentBytes()),
      (input) => check.resume(input, Date.now(), momentBytes()),
      {
        ask: async (question) => {
          if (question.rejected) await invalidate(core, address, question.rejected);
          return accessToken(core, address, client, silentReauthorizer(core));
        },
      },
    );
  } finally {
    check.free();
  }
  if (end.kind === "failed") return checked("failed", end.error.message);
  const result = end.result;
  if (result.outcome === "ok") {
    const latest = (await store.getAccount(address)) ?? account;
    if (latest.state.kind === "connected") {
      await store.putAccount({
        ...latest,
        displayName: result.displayName ?? latest.displayName,
        state: { ...latest.state, aliases: result.aliases ?? latest.state.aliases },
      });
      accountsChanged();
    }
  } else if (result.outcome === "needsReauthentication") {
    await markNeedsReauthentication(core, address, result.code, result.message);
  }
  return forPage(result);
}

/** Checks every connected inbox, one after another. */
export async function checkAll(core: WorkerCore): Promise<void> {
  for (const account of await store.listAccounts()) {
    if (account.state.kind === "connected") await checkAccount(core, account.address).catch(() => undefined);
  }
}
