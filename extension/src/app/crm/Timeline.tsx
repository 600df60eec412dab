// A record's timeline, newest first (the core orders it), with "Show older"
// when the worker says there is more. An entry of a kind this page does not
// know shows its summary, so new kinds need no new screen.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { openCompose } from "../send/Compose.js";
import { endToast } from "../send/endToast.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { when } from "./format.js";
import { Empty } from "./States.js";
import type { RecordRef, TimelineEntry } from "./types.js";

const ICONS: Record<string, string> = {
  created: "✦",
  updated: "✎",
  note: "✐",
  task: "✓",
  emailSent: "↗",
  emailReceived: "↘",
  merged: "⇄",
  imported: "⇣",
  deleted: "✕",
  restored: "↺",
  stageChanged: "→",
};

/** A logged email's To, Cc and Bcc lines, as text (the core kept them one line each). */
function recipients(e: TimelineEntry): string {
  const line = (label: string, v: unknown) => (typeof v === "string" && v ? [`${label}: ${v}`] : []);
  return [...line("To", e.data.to), ...line("Cc", e.data.cc), ...line("Bcc", e.data.bcc)].join(" · ");
}

/** The inbox an email went through, and the alias when it went from one: "From sales@acme.com (alias of ann@acme.com)". */
function sentFrom(e: TimelineEntry): string | null {
  const from = typeof e.data.from === "string" ? e.data.from : "";
  const inbox = typeof e.data.inbox === "string" ? e.data.inbox : "";
  if (!from && !inbox) return null;
  if (!from || !inbox || from.toLowerCase() === inbox.toLowerCase()) return `From ${from || inbox}`;
  return `From ${from} (alias of ${inbox})`;
}

/** An email entry (sent, received, an automatic reply; not a bounce) can be answered when it has a Message-ID. */
const answerable = (e: TimelineEntry) =>
  e.kind.startsWith("email") && e.kind !== "emailBounced" && typeof e.data.messageId === "string" && e.data.messageId !== "";

export function Timeline(props: { record: RecordRef; entries: TimelineEntry[]; more: boolean }) {
  const [entries, setEntries] = useState(props.entries);
  const [more, setMore] = useState(props.more);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const app = useApp();
  // A re-read record brings a new first page.
  useEffect(() => {
    setEntries(props.entries);
    setMore(props.more);
  }, [props.entries, props.more]);

  async function older() {
    const last = entries[entries.length - 1];
    if (!last) return;
    setBusy(true);
    try {
      const page = await crm.timeline(props.record, last.at, 200);
      const seen = new Set(entries.map((e) => e.id));
      setEntries([...entries, ...page.entries.filter((e) => !seen.has(e.id))]);
      setMore(page.more);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function reply(e: TimelineEntry) {
    const end = await openCompose({ record: props.record, reply: e.id });
    const toast = endToast(end);
    if (toast) app.toast(toast);
    if (end.kind !== "closed") app.changed();
  }

  if (entries.length === 0) {
    return (
      <Empty title="Nothing here yet" icon="◷">
        <p>Notes, tasks and emails with this record will show up here, newest first.</p>
      </Empty>
    );
  }
  return (
    <div class="timeline">
      <ol aria-label="Timeline">
        {entries.map((e) => (
          <li key={e.id} class={`tl tl-${e.kind}`} data-kind={e.kind}>
            <span class="tl-icon" aria-hidden="true">
              {ICONS[e.kind] ?? "•"}
            </span>
            <div class="tl-body">
              <p class="tl-summary">{e.summary}</p>
              {e.kind === "note" && typeof e.data.body === "string" && <p class="tl-note">{e.data.body}</p>}
              {e.kind === "emailSent" && sentFrom(e) !== null && <p class="tl-note tl-from">{sentFrom(e)}</p>}
              {e.kind === "emailSent" && <p class="tl-note">{recipients(e)}</p>}
              {e.kind === "emailSent" && typeof e.data.snippet === "string" && <p class="tl-note">{e.data.snippet}</p>}
              <time dateTime={new Date(e.at).toISOString()} title={new Date(e.at).toLocaleString()}>
                {when(e.at)}
              </time>
              {answerable(e) && (
                <button class="link-button tl-reply" onClick={() => void reply(e)} aria-label={`Reply to ${e.summary}`}>
                  Reply
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {more && (
        <button class="secondary" onClick={older} disabled={busy}>
          {busy ? "Loading…" : "Show older activity"}
        </button>
      )}
    </div>
  );
}
