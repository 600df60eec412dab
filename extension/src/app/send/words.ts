// Every outbox state in words, for the list and for screen readers.
import type { OutboxItem } from "./types.js";

export function at(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** What the list says of an email, and which group it goes in. */
export function describe(item: OutboxItem): { words: string; group: "needsYou" | "scheduled" | "sending" | "sent" | "closed"; tone?: "error" | "warning" | "success" } {
  const s = item.view.state;
  switch (s.kind) {
    case "scheduled":
      return item.held
        ? { words: `Held for you: it was due ${at(s.at)} while the browser was closed. Send it now, edit or cancel it.`, group: "needsYou", tone: "warning" }
        : { words: `Scheduled for ${at(s.at)}`, group: "scheduled" };
    case "queued":
      return { words: "Waiting to send", group: "sending" };
    case "sending":
      return { words: "Sending…", group: "sending" };
    case "retryWait":
      return { words: `Not sent yet: retrying at ${at(s.until)}${s.message ? ` (${s.message})` : ""}`, group: "sending", tone: "warning" };
    case "unknown":
      return { words: "The connection dropped while sending: checking your Sent folder before anything is sent again", group: "sending", tone: "warning" };
    case "checking":
      return { words: "Checking your Sent folder…", group: "sending" };
    case "needsUser":
      return { words: `May have been sent — check your Sent folder. ${s.message}`, group: "needsYou", tone: "warning" };
    case "failed":
      return { words: `Not sent: ${s.message}`, group: "needsYou", tone: "error" };
    case "sent":
      return { words: `Sent ${at(s.at)}${item.late ? " (later than scheduled: the browser was closed at its time)" : ""}`, group: "sent", tone: "success" };
    case "handedOver":
      return { words: `Handed to your mail provider, which delivers it ${at(s.deliverAt)} even with the browser closed`, group: "sent", tone: "success" };
    case "cancelled":
      return { words: "Cancelled", group: "closed" };
  }
}
