// Access tokens for provider calls. The core decides (use, refresh, wait,
// re-authorize, give up); this file keeps one token state per inbox in
// memory, persists it, and performs what the core asks.
//
// Where the secrets live: the refresh token (inside the token state) in the
// extension origin's IndexedDB; the access token only in memory and in
// chrome.storage.session. Neither ever goes to a content script, a page
// outside the extension, a log or a URL.
import type { CoreApi, OAuthClient, TokenState } from "./coreTypes.js";
import { execute, type HttpRequest } from "./executor.js";
import { jitter, sleep } from "./random.js";
import * as session from "./session.js";
import * as store from "./store.js";

/** The inbox needs the user: its tokens were rejected or expired for good. */
export class ReauthenticationNeeded extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The provider is unavailable for now; try again after `atMs`. */
export class TryLater extends Error {
  constructor(
    readonly atMs: number,
    message: string,
  ) {
    super(message);
  }
}

const states = new Map<string, TokenState>();
const renewals = new Map<string, Promise<void>>();

/** Runs a Microsoft silent re-authorization; supplied by the flow runner. */
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

/** Persists a token state: refresh token to IndexedDB, access token to the session. */
export async function save(address: string, state: TokenState): Promise<void> {
  const key = store.keyOf(address);
  states.set(key, state);
  const { accessToken, expiresAtMs } = state;
  await store.putSecrets(key, { tokens: { ...state, accessToken: "", expiresAtMs: 0 } });
  await session.setAccessToken(key, { accessToken, expiresAtMs });
}

/** Forgets an inbox's tokens everywhere. */
export async function forget(address: string): Promise<void> {
  const key = store.keyOf(address);
  states.delete(key);
  renewals.delete(key);
  await session.clearSession(key);
}

/** The current token state, for revocation at disconnect. */
export async function current(address: string): Promise<TokenState | undefined> {
  return load(store.keyOf(address));
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
      if (latest) await save(address, core.tokenRefreshed(latest, renewal.id, outcome, client, Date.now(), jitter()).tokens);
    } else {
      const result = await silent(address);
      const latest = states.get(key);
      if (latest) await save(address, core.tokenSilentResult(latest, renewal.id, result).tokens);
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
): Promise<string> {
  const key = store.keyOf(address);
  for (let round = 0; round < 10; round++) {
    const state = await load(key);
    if (!state) throw new ReauthenticationNeeded("noTokens", `${address} has no saved sign-in. Reconnect it.`);
    const { tokens, access } = core.tokenAccess(state, client, Date.now());
    states.set(key, tokens);
    switch (access.kind) {
      case "use":
        if (access.background) {
          renew(core, address, client, silent, access.background as Renewal).catch(() => undefined);
        }
        return access.accessToken;
      case "refresh":
        await renew(core, address, client, silent, { kind: "refresh", id: access.id, request: access.request });
        break;
      case "silentReauthorize":
        await renew(core, address, client, silent, { kind: "silentReauthorize", id: access.id });
        break;
      case "wait":
        // The renewal in flight may belong to a worker that was stopped; the
        // core gives it up after its timeout and starts a new one.
        await (renewals.get(key) ?? sleep(1000));
        break;
      case "retryAt":
        throw new TryLater(access.atMs, access.reason);
      case "reauthenticate":
      case "failed":
        await save(address, tokens);
        throw new ReauthenticationNeeded(access.code, access.message);
    }
  }
  throw new TryLater(Date.now() + 60_000, "Signing in to the provider is taking too long; Inlay will try again shortly.");
}

/** Tells the core the provider rejected `rejected` (a 401); the core ignores an already-replaced token. */
export async function invalidate(core: CoreApi, address: string, rejected: string): Promise<void> {
  const key = store.keyOf(address);
  const state = await load(key);
  if (state) await save(address, core.tokenInvalidate(state, rejected).tokens);
}
