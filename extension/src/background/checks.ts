// "Is this inbox still connected?": one authorized call per inbox (the
// provider's send-as list or profile), run when a page lists the inboxes and
// on an alarm. The core plans the call and reads the answer; a rejected token
// is refreshed once, throttling waits as long as the provider asks, and a
// token that can't be renewed puts the inbox in "needs reauthentication".
import { KIND_NAMES, type CheckResult } from "../shared/accounts.js";
import { markNeedsReauthentication, silentReauthorizer } from "./accounts.js";
import { accountsChanged } from "./broadcast.js";
import type { WorkerCore } from "./coreTypes.js";
import * as exchange from "./exchange.js";
import { execute } from "./executor.js";
import { checkImapAccount } from "./imap.js";
import { jitter, sleep } from "./random.js";
import { loadSettings, oauthClient } from "./settings.js";
import * as store from "./store.js";
import { accessToken, Disconnected, invalidate, ReauthenticationNeeded, TryLater } from "./tokens.js";

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
    let token: string;
    try {
      token = await accessToken(core, address, client, silentReauthorizer(core));
    } catch (e) {
      if (e instanceof ReauthenticationNeeded) {
        await markNeedsReauthentication(core, address, e.code, e.message);
        return checked("needsReauthentication", e.message);
      }
      if (e instanceof TryLater) return checked("later", e.message);
      if (e instanceof Disconnected) return checked("failed", e.message);
      throw e;
    }
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
