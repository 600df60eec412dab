// The browser's host permissions: whether Inlay may contact an origin
// (`scheme://host/*`, as the core's hostPattern writes it). Asking for them
// is the pages' job (a permission prompt needs a user gesture).

export function hasOrigins(origins: string[]): Promise<boolean> {
  return chrome.permissions.contains({ origins });
}
