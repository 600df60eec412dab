// "Is this inbox still connected?": one authorized call per inbox (the
// provider's send-as list or profile), run when a page lists the inboxes and
// on an alarm. The core plans the call and reads the answer; a rejected token
// is refreshed once, throttling waits as long as the provider asks, and a
// token that can't be renewed puts the inbox in "needs reauthentication".
import { KIND_NAMES, type CheckResult } from "../../shared/inboxes.js";
import type { WorkerCore } from "../core/types.js";
import { execute } from "../io/http.js";
import { jitter } from "../io/random.js";
import { sleep } from "../io/timers.js";
import { accountsChanged } from "../state/broadcast.js";
import { loadSettings, oauthClient } from "../state/settings.js";
import * as store from "../state/store.js";
import * as exchange from "./exchange.js";
import { checkImapAccount } from "./imap.js";
import { markNeedsReauthentication } from "./inboxState.js";
import { silentReauthorizer } from "./oauthConnect.js";
import { accessToken, invalidate } from "./tokens.js";

export const checked = (outcome: CheckResult["outcome"], message: string | null = null): CheckResult => ({ outcome, message });

/** Waits longer than this are left to the next alarm instead of holding the worker. */
const MAX_INLINE_WAIT_MS = 20_000;

export async function checkAccount(core: WorkerCore, address: string): Promise<CheckResult> {
  const account = await store.getAccount(address);
  if (!account || account.state.kind !== "connected") return checked("failed", `${address} isn't connected, so there is nothing to check.`);
  if (account.connect === "exchange") return exchange.check(core, account);
  if (account.connect === "imap") return checkImapAccount(core, account);
  const client = oauthClient(await loadSettings(), account.connect);
  if (!client) return checked("failed", `Inlay has no ${KIND_NAMES[account.connect]} sign-in set up, so it can't check ${address}.`);
  let afterRefresh = false;
  // number counts the retries already made (0 for the first try), as the core's backoff expects.
  for (let number = 0; number < 6; number++) {
    const access = await accessToken(core, address, client, silentReauthorizer(core));
    switch (access.kind) {
      case "reauthenticate":
        await markNeedsReauthentication(core, address, access.code, access.message);
        return checked("needsReauthentication", access.message);
      case "later":
        return checked("later", access.message);
      case "disconnected":
        return checked("failed", access.message);
    }
    const token = access.accessToken;
    const outcome = await execute(core.accountCheckPlan(account.connect, token));
    const verdict = core.accountCheckResult(account.connect, outcome, { number, afterRefresh, nowMs: Date.now(), jitter: jitter() });
    switch (verdict.kind) {
      case "ok": {
        const latest = (await store.getAccount(address)) ?? account;
        if (latest.state.kind === "connected") {
          await store.putAccount({
            ...latest,
            displayName: verdict.displayName ?? latest.displayName,
            state: { ...latest.state, aliases: verdict.aliases },
          });
          accountsChanged();
        }
        return checked("ok");
      }
      case "refreshToken":
        await invalidate(core, address, token);
        afterRefresh = true;
        break;
      case "retryAfter":
        if (verdict.afterMs > MAX_INLINE_WAIT_MS) return checked("later", verdict.reason);
        await sleep(verdict.afterMs);
        break;
      case "reauthenticate":
        await markNeedsReauthentication(core, address, verdict.code, verdict.message);
        return checked("needsReauthentication", verdict.message);
      case "fail":
        return checked("failed", verdict.message);
    }
  }
  return checked("later");
}

/** Checks every connected inbox, one after another. */
export async function checkAll(core: WorkerCore): Promise<void> {
  for (const account of await store.listAccounts()) {
    if (account.state.kind === "connected") await checkAccount(core, account.address).catch(() => undefined);
  }
}
