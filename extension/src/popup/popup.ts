// Toolbar popup: the entry point of the connect flow. Shows whether Inlay's
// core is running and which inboxes are connected.
import { call, type PingReply } from "../shared/messages.js";

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`popup.html is missing #${id}`);
  return found as T;
}

async function render(): Promise<void> {
  const status = el<HTMLParagraphElement>("core-status");
  try {
    const reply = await call<PingReply>({ type: "ping" });
    status.textContent = `Inlay is running (core ${reply.core}).`;
    status.dataset.state = "ready";
  } catch (e) {
    status.textContent = e instanceof Error ? e.message : String(e);
    status.dataset.state = "error";
  }
}

void render();
