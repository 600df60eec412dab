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

export type Group = "needsYou" | "scheduled" | "sending" | "sent" | "closed";

/**
 * What the list says of an email (the core's words, with the time where it
 * has one), which group it goes in, and its tone.
 */
export function describe(item: OutboxItem): { words: string; when: string | null; group: Group; tone?: "error" | "warning" | "success" } {
  const s = item.view.state;
  const words = item.dueAt ? item.dueAt.reason : item.view.words;
  const later = item.dueAt ? `Goes at ${at(item.dueAt.atMs)}` : null;
  switch (s.kind) {
    case "scheduled":
      return { words, when: later ?? `Scheduled for ${at(s.atMs)}`, group: "scheduled" };
    case "held":
      return { words, when: `Was due ${at(s.atMs)}`, group: "needsYou", tone: "warning" };
    case "queued":
      return { words, when: later, group: "sending" };
    case "sending":
    case "checking":
      return { words, when: null, group: "sending" };
    case "retryWait":
      return { words, when: `Retrying at ${at(s.untilMs)}`, group: "sending", tone: "warning" };
    case "unknown":
      return { words, when: `Looking in Sent at ${at(s.notBeforeMs)}`, group: "sending", tone: "warning" };
    case "needsUser":
      return { words: `May have been sent — check your Sent folder. ${words}`, when: null, group: "needsYou", tone: "warning" };
    case "failed":
      return { words: `Not sent: ${words}`, when: null, group: "needsYou", tone: "error" };
    case "sent":
      return { words, when: `Sent ${at(s.atMs)}`, group: "sent", tone: "success" };
    // Held by Microsoft until its time: still scheduled, and it can still be cancelled there.
    case "handedOver":
      return { words: `Microsoft delivers it at ${at(s.deliverAtMs)}, even with the browser closed.`, when: words, group: "scheduled" };
    case "cancelling":
      return { words, when: `Was to go at ${at(s.deliverAtMs)}`, group: "scheduled", tone: "warning" };
    case "cancelled":
      return { words, when: null, group: "closed" };
  }
}
