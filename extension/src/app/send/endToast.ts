// What the page says when the compose dialog closes. "Sending your email…"
// stays only until the outbox knows how the send went (the worker's
// outboxChanged): sent, it goes, since the timeline now shows the email;
// failed or in doubt, it becomes an error pointing to the Outbox. So it does
// not sit over the timeline for its full time.
import type { Toast } from "../crm/context.js";
import { onOutboxChanged, send } from "./api.js";
import type { ComposeEnd } from "./Compose.js";
import type { OutboxItem } from "./types.js";

/** The longest the toast waits for the outbox to say (it closes on its own before). */
const WAIT_MS = 60_000;

/** States in which the send is still under way. */
const UNDER_WAY = new Set(["queued", "sending", "checking", "unknown", "retryWait"]);

/** Resolves once `item`'s send is known: null when it left, an error toast when the user is needed. */
export function settled(item: OutboxItem): Promise<Toast | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (t: Toast | null) => {
      if (done) return;
      done = true;
      stop();
      clearTimeout(timer);
      resolve(t);
    };
    const check = async () => {
      const now = (await send.outbox().catch(() => [])).find((i) => i.id === item.id);
      if (!now || UNDER_WAY.has(now.view.state.kind)) return;
      if (["sent", "handedOver"].includes(now.view.state.kind)) finish(null);
      else finish({ text: `Your email "${now.summary.subject || "(no subject)"}": ${now.view.words} The Outbox says what you can do.`, error: true });
    };
    const stop = onOutboxChanged(() => void check());
    const timer = setTimeout(() => finish(null), WAIT_MS);
    void check(); // it may have gone already
  });
}

/** The toast for how the dialog ended, if any. */
export function endToast(end: ComposeEnd): Toast | null {
  switch (end.kind) {
    case "sent":
      return { text: "Sending your email…", settle: settled(end.item) };
    case "scheduled":
      return { text: "Email scheduled: it is in the Outbox." };
    case "saved":
      return { text: "Draft saved: find it under Outbox › Drafts." };
    default:
      return null;
  }
}
