// Access tokens for provider calls. The core decides (use, refresh, wait,
// re-authorize, give up); this file keeps one token state per inbox in
// memory, persists it, and performs what the core asks.
//
// Where the secrets live: the refresh token (inside the token state) in the
// extension origin's IndexedDB; the access token only in memory and in
// chrome.storage.session. Neither ever goes to a content script, a page
// outside the extension, a log or a URL.
//
// Disconnect replaces the state in memory with the core's disconnected marker
// (no tokens in it); a renewal still running then reports to the marker, and
// the core answers "discard": nothing is written back.
import type { Account } from "../../shared/inboxes.js";
import type { CoreApi, OAuthClient, RenewalResult, TokenState } from "../core/types.js";
import { execute, type HttpRequest } from "../io/http.js";
import { jitter } from "../io/random.js";
import { sleep } from "../io/timers.js";
import * as session from "../state/session.js";
import * as store from "../state/store.js";

/** A usable access token, or why there is none, in the core's words. */
export type TokenAccess =
  | { kind: "token"; accessToken: string }
  /** The inbox needs the user: its tokens were rejected or expired for good. */
  | { kind: "reauthenticate"; code: string; message: string }
  /** The provider is unavailable for now; try again after `atMs`. */
  | { kind: "later"; atMs: number; message: string }
  /** The inbox was disconnected; its tokens are gone. */
  | { kind: "disconnected"; message: string };

const states = new Map<string, TokenState>();
const renewals = new Map<string, Promise<void>>();
// Storage writes for one inbox run one after another, so a save that started
// before a disconnect can't land after the disconnect cleared the session.
const writes = new Map<string, Promise<void>>();

function inOrder(key: string, write: () => Promise<void>): Promise<void> {
  const next = (writes.get(key) ?? Promise.resolve()).then(write);
  const settled = next.catch(() => undefined);
  writes.set(key, settled);
  void settled.then(() => writes.get(key) === settled && writes.delete(key));
  return next;
}

/** Runs a Microsoft silent re-authorization; supplied by oauthConnect.ts (tokens.ts must not import it). */
export type SilentReauthorizer = (
  address: string,
) => Promise<{ kind: "connected"; tokens: TokenState } | { kind: "failed"; message: string }>;

async function load(key: string): Promise<TokenState | undefined> {
  const cached = states.get(key);
  if (cached) return cached;
  const secrets = await store.getSecrets(key);
  // Password inboxes (Exchange, IMAP) hold no tokens.
  if (!secrets?.tokens) return undefined;
  const stored = secrets.tokens as TokenState;
  const access = await session.getAccessToken(key);
  // Without a session copy (browser restarted) the access token is gone: the
  // stored state says it expired at 0, so the core refreshes first.
  const state = access ? { ...stored, ...access } : stored;
  states.set(key, state);
  return state;
}

/**
 * Persists a token state: refresh token to IndexedDB, access token to the
 * session. A disconnected marker lives in memory only. With `account`, the
 * record is saved with the tokens, both or neither (a connect's end).
 */
async function persist(address: string, state: TokenState, account?: Account): Promise<void> {
  const key = store.keyOf(address);
  states.set(key, state);
  if (state.disconnected) return;
  const { accessToken, expiresAtMs } = state;
  // The durable copy has no access token: that lives only in the session.
  const secrets: store.Secrets = { tokens: { ...state, accessToken: "", expiresAtMs: 0 } };
  await inOrder(key, async () => {
    await (account ? store.saveConnected(account, secrets) : store.putSecrets(key, secrets));
    await session.setAccessToken(key, { accessToken, expiresAtMs });
  });
}

/** The inbox's token state as held now (none for password inboxes). */
export function stored(address: string): Promise<TokenState | undefined> {
  return load(store.keyOf(address));
}

/** Persists the inbox's new token state (see `persist`). */
export function save(address: string, state: TokenState): Promise<void> {
  return persist(address, state);
}

/** Saves a connected inbox's record together with its first tokens. */
export function saveConnected(account: Account, state: TokenState): Promise<void> {
  return persist(account.address, state, account);
}

/**
 * The first step of Disconnect: the core's disconnected marker takes the
 * state's place at once, so a renewal finishing from now on is discarded.
 * Returns the tokens held until now, for the revocation.
 */
export async function disconnect(core: CoreApi, address: string): Promise<TokenState | undefined> {
  const key = store.keyOf(address);
  const held = await load(key);
  if (held) states.set(key, core.tokenDisconnect(held).tokens);
  return held;
}

/** Clears the session's access token after `disconnect`; the marker stays in memory. */
export async function forget(address: string): Promise<void> {
  const key = store.keyOf(address);
  renewals.delete(key);
  await inOrder(key, () => session.clearSession(key));
}

/** Applies a renewal's result: persist it, or (after disconnect) revoke what it obtained. */
async function settle(address: string, next: { tokens: TokenState; result: RenewalResult }): Promise<void> {
  if (next.result.kind === "keep") return save(address, next.tokens);
  states.set(store.keyOf(address), next.tokens);
  // Nobody is left to tell how the revocation went: the user already disconnected.
  if (next.result.revoke) await execute(next.result.revoke);
}

type Renewal = { kind: "refresh"; id: number; request: HttpRequest } | { kind: "silentReauthorize"; id: number };

/**
 * Performs a renewal the core started and reports its result. Registered so
 * that callers the core tells to "wait" can await it.
 */
function renew(core: CoreApi, address: string, client: OAuthClient, silent: SilentReauthorizer, renewal: Renewal): Promise<void> {
  const key = store.keyOf(address);
  const running = (async () => {
    if (renewal.kind === "refresh") {
      const outcome = await execute(renewal.request);
      const latest = states.get(key);
      if (latest) await settle(address, core.tokenRefreshed(latest, renewal.id, outcome, client, Date.now(), jitter()));
    } else {
      const result = await silent(address);
      const latest = states.get(key);
      if (latest) await settle(address, core.tokenSilentResult(latest, renewal.id, result));
    }
  })().finally(() => {
    if (renewals.get(key) === running) renewals.delete(key);
  });
  renewals.set(key, running);
  return running;
}

/**
 * A usable access token for the inbox. Concurrent callers share one renewal:
 * the core answers "wait" to all but the first, and they await its promise.
 * A renewal the core wants done ahead of expiry runs in the background.
 */
export async function accessToken(
  core: CoreApi,
  address: string,
  client: OAuthClient,
  silent: SilentReauthorizer,
): Promise<TokenAccess> {
  const key = store.keyOf(address);
  // The core counts the rounds and ends them (a renewal that never settles).
  for (let round = 0; ; round++) {
    const state = await load(key);
    if (!state) return { kind: "reauthenticate", ...core.refusal({ kind: "noTokens", address }) };
    const { tokens, access } = core.tokenAccess(state, client, Date.now(), round);
    states.set(key, tokens);
    switch (access.kind) {
      case "use":
        if (access.background) {
          renew(core, address, client, silent, access.background as Renewal).catch(() => undefined);
        }
        return { kind: "token", accessToken: access.accessToken };
      case "refresh":
        await renew(core, address, client, silent, { kind: "refresh", id: access.id, request: access.request });
        break;
      case "silentReauthorize":
        await renew(core, address, client, silent, { kind: "silentReauthorize", id: access.id });
        break;
      case "wait":
        // The renewal in flight may belong to a worker that was stopped; the
        // core gives it up after its timeout and starts a new one.
        await (renewals.get(key) ?? sleep(access.untilMs - Date.now()));
        break;
      case "retryAt":
        return { kind: "later", atMs: access.atMs, message: access.reason };
      case "reauthenticate":
      case "failed":
        await save(address, tokens);
        return { kind: "reauthenticate", code: access.code, message: access.message };
      case "disconnected":
        return { kind: "disconnected", message: access.message };
    }
  }
}

/** Tells the core the provider rejected `rejected` (a 401); the core ignores an already-replaced token. */
export async function invalidate(core: CoreApi, address: string, rejected: string): Promise<void> {
  const key = store.keyOf(address);
  const state = await load(key);
  if (state) await save(address, core.tokenInvalidate(state, rejected).tokens);
}
