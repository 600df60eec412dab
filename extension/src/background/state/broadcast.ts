// Tells open extension pages that inboxes changed, so they re-read the list.
// Content scripts are not told: they have no use for account state.

export function accountsChanged(): void {
  chrome.runtime.sendMessage({ event: "accountsChanged" }).catch(() => undefined); // no page open
}
