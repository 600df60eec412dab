// Answers the outbox machine's one question, the inbox's secret, from the
// token keeper (Google, Microsoft) or the password store (Exchange, IMAP).
// The answer goes into the machine's next call only: it is never part of
// the entry the shell stores, never in a reply to a page, never logged.
import { silentReauthorizer } from "../connect/oauthConnect.js";
import { accessToken, invalidate } from "../connect/tokens.js";
import type { WorkerCore } from "../core/types.js";
import { loadSettings, oauthClient } from "../state/settings.js";
import * as store from "../state/store.js";
import type { SecretAnswer } from "./binding.js";
import type { SecretLater } from "./runner.js";

/** How long to wait when the token keeper says "later" without a time. */
const LATER_MS = 60_000;

/** The secret for `inbox`; `rejected`: the token the provider refused (renewed first). */
export async function answerSecret(core: WorkerCore, inbox: string, rejected: string | null): Promise<SecretAnswer | SecretLater> {
  const account = await store.getAccount(inbox);
  if (!account || account.state.kind === "disconnected" || account.state.kind === "notConnected") {
    return { kind: "unavailable", reason: "disconnected", message: `${inbox} is no longer connected to Inlay: connect it again in Settings › Email, then send again.` };
  }
  if (account.connect === "google" || account.connect === "microsoft") {
    const client = oauthClient(await loadSettings(), account.connect);
    if (!client) return { kind: "unavailable", reason: "reauthenticate", message: core.refusal({ kind: "noSignInSetUp", address: inbox, connect: account.connect }).message };
    if (rejected) await invalidate(core, inbox, rejected);
    const access = await accessToken(core, inbox, client, silentReauthorizer(core));
    switch (access.kind) {
      case "token":
        return { kind: "bearer", token: access.accessToken };
      case "later":
        return { kind: "later", atMs: Number.isFinite(access.atMs) ? access.atMs : Date.now() + LATER_MS, message: access.message };
      case "reauthenticate":
        return { kind: "unavailable", reason: "reauthenticate", message: access.message };
      case "disconnected":
        return { kind: "unavailable", reason: "disconnected", message: access.message };
    }
  }
  const secrets = await store.getSecrets(inbox);
  const server = account.server;
  if (!secrets?.password || !server) {
    return { kind: "unavailable", reason: "reauthenticate", message: `Inlay has no password for ${inbox}: sign in again in Settings › Email, then send again.` };
  }
  if (server.kind === "exchange") return { kind: "password", username: server.username || inbox, password: secrets.password };
  // IMAP/SMTP: one password for both servers, or each its own (the send
  // logs in to SMTP with one and saves the Sent copy over IMAP with the other).
  if (server.settings.sameCredentials) return { kind: "password", username: server.settings.imap.username || inbox, password: secrets.password };
  // Other usernames but no password of SMTP's own stored: the connect flow kept one password for both.
  return { kind: "mailPasswords", imap: secrets.password, smtp: secrets.smtpPassword ?? secrets.password };
}
