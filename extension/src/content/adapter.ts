// What every webmail adapter does: wait for the host page's own structure to
// appear (webmail apps render late and re-render often), then mount Inlay.
import { mountBadge, ROOT_ID } from "./badge.js";

export interface HostAdapter {
  /** Name recorded on Inlay's root element, e.g. "gmail". */
  host: string;
  /** Where Inlay's element goes, most specific first. */
  anchorSelectors: readonly string[];
}

function findAnchor(adapter: HostAdapter): Element | null {
  for (const selector of adapter.anchorSelectors) {
    const found = document.querySelector(selector);
    if (found) return found;
  }
  return null;
}

/** Mounts now if the page is ready, else when it becomes ready; re-mounts if the app removes us. */
export function start(adapter: HostAdapter): void {
  const tryMount = (): void => {
    if (document.getElementById(ROOT_ID)) return;
    const anchor = findAnchor(adapter);
    if (anchor) mountBadge(anchor, adapter.host);
  };
  tryMount();
  new MutationObserver(tryMount).observe(document.documentElement, { childList: true, subtree: true });
}
