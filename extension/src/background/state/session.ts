// chrome.storage.session: in memory, cleared when the browser closes, and
// readable only by trusted extension contexts (never content scripts).
// Holds access tokens.

const ACCESS = "access:";

/** Makes the trusted-only access level explicit (it is also Chrome's default). */
export function lockSession(): void {
  void chrome.storage.session.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" }).catch(() => undefined);
}

export interface AccessToken {
  accessToken: string;
  expiresAtMs: number;
}

export async function getAccessToken(key: string): Promise<AccessToken | undefined> {
  const found = await chrome.storage.session.get(ACCESS + key);
  return found[ACCESS + key] as AccessToken | undefined;
}

export async function setAccessToken(key: string, token: AccessToken): Promise<void> {
  await chrome.storage.session.set({ [ACCESS + key]: token });
}

export async function clearSession(key: string): Promise<void> {
  await chrome.storage.session.remove(ACCESS + key);
}
