// Inlay's element inside a webmail page. It lives in a closed shadow root so
// the page's CSS and scripts cannot restyle or read into it, and it is built
// with textContent only: nothing from the page or from email becomes HTML.
import { call, errorText, type PingReply } from "../shared/messages.js";

export const ROOT_ID = "inlay-root";

const STYLE = `
  :host { all: initial; }
  .badge { font: 500 12px/1 system-ui, sans-serif; color: #fff; background: #3d5afe;
           border-radius: 12px; padding: 6px 10px; display: inline-flex; gap: 6px; align-items: center; }
  .badge[data-state="error"] { background: #b00020; }
  .dot { width: 6px; height: 6px; border-radius: 50%; background: currentColor; opacity: .8; }
`;

/** Adds the badge to `anchor` once; returns the existing one on repeat calls. */
export function mountBadge(anchor: Element, host: string): HTMLElement {
  const existing = document.getElementById(ROOT_ID);
  if (existing) return existing;
  const root = document.createElement("div");
  root.id = ROOT_ID;
  root.dataset.host = host;
  const shadow = root.attachShadow({ mode: "closed" });
  const style = document.createElement("style");
  style.textContent = STYLE;
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.setAttribute("role", "status");
  const dot = document.createElement("span");
  dot.className = "dot";
  const label = document.createElement("span");
  label.textContent = "Inlay";
  badge.append(dot, label);
  shadow.append(style, badge);
  anchor.prepend(root);

  // The reply carries Inlay's version; it stays out of the host page's DOM
  // (the page would learn the exact version to aim at).
  call<PingReply>({ type: "ping" })
    .then(() => {
      root.dataset.state = "ready";
      badge.dataset.state = "ready";
      label.textContent = "Inlay";
      badge.title = "Inlay is on";
    })
    .catch((e: unknown) => {
      root.dataset.state = "error";
      badge.dataset.state = "error";
      label.textContent = "Inlay is unavailable";
      badge.title = errorText(e);
    });
  return root;
}
