// The Outbox screen: every email Inlay is sending or has sent, grouped by
// what it needs (you, its time, nothing), each state in words, with what
// can still be done to it: edit, reschedule or cancel a scheduled email;
// mark as sent or send again one that may have been sent; send now one held
// after the browser was closed; cancel one Microsoft holds for its time
// (deleted there; cancelled only once Microsoft confirms). Reads again when the worker says it changed.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { useApp } from "../crm/context.js";
import { href } from "../crm/route.js";
import { Empty, Failed, Skeleton } from "../crm/States.js";
import { onOutboxChanged, send } from "./api.js";
import { openCompose } from "./Compose.js";
import { SendSettingsPanel } from "./SendSettings.js";
import { TemplatesPanel } from "./Templates.js";
import type { OutboxItem } from "./types.js";
import { at, describe } from "./words.js";

const GROUPS = [
  ["needsYou", "Needs you"],
  ["sending", "Sending"],
  ["scheduled", "Scheduled"],
  ["sent", "Sent"],
  ["closed", "Cancelled"],
] as const;

function localInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function Row(props: { item: OutboxItem; reload: () => void }) {
  const app = useApp();
  const { item } = props;
  const said = describe(item);
  const s = item.view.state;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);
  const [when, setWhen] = useState(() => localInput(s.kind === "scheduled" ? s.atMs : Date.now() + 3600_000));

  async function act(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    try {
      await action();
      if (done) app.announce(done);
      props.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const edit = () =>
    act(async () => {
      const draft = await send.edit(item.id);
      const end = await openCompose({ draft });
      if (end.kind === "sent" || end.kind === "scheduled") app.toast({ text: end.kind === "sent" ? "Sending your email." : "Email scheduled." });
    }, "Taken off the schedule to edit.");

  // What the core's choices allow in each state (core/src/outbox/choices.rs).
  const movable = ["scheduled", "held", "queued", "retryWait"].includes(s.kind);
  // Handed to Microsoft: cancelling deletes it there; only its confirmation cancels it.
  const cancelAtProvider = () =>
    act(async () => {
      const after = await send.cancel(item.id);
      const kind = after.view.state.kind;
      app.announce(
        kind === "cancelled" ? "Cancelled: it will not be sent." : kind === "sent" ? "Too late to cancel: Microsoft had already sent it at its time." : after.view.words,
      );
    }, "");
  const editable = movable || s.kind === "failed";
  return (
    <li class="outbox-item" data-outbox={item.id} data-state={s.kind}>
      <div class="outbox-main">
        <p class="outbox-subject">{item.summary.subject || "(no subject)"}</p>
        <p class="muted">
          To {item.summary.to.join(", ") || "—"} · from {item.summary.from}
          {item.record && (
            <>
              {" "}
              · <a href={href({ name: "record", kind: item.record.startsWith("deal:") ? "deal" : "contact", id: item.record.split(":")[1]! })}>open record</a>
            </>
          )}
        </p>
        <p class={`outbox-state ${said.tone ?? ""}`}>{said.words}</p>
        {said.when && <p class="muted">{said.when}</p>}
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {picking && (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const ms = new Date(when).getTime();
              if (!Number.isFinite(ms) || ms <= Date.now()) return setError("Choose a time that has not passed yet.");
              setPicking(false);
              void act(() => send.reschedule(item.id, ms), `Rescheduled for ${at(ms)}.`);
            }}
          >
            <label for={`when-${item.id}`} class="sr-only">
              New time
            </label>
            <input id={`when-${item.id}`} type="datetime-local" value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
            <button type="submit">Reschedule</button>
          </form>
        )}
      </div>
      <div class="head-actions">
        {s.kind === "needsUser" && (
          <>
            <button class="secondary" disabled={busy} onClick={() => void act(() => send.resolve(item.id, "markSent"), "Marked as sent.")}>
              Mark as sent
            </button>
            <button disabled={busy} onClick={() => void act(() => send.resolve(item.id, "sendAgain"), "Sending it again.")}>
              Send again
            </button>
          </>
        )}
        {(s.kind === "held" || s.kind === "failed") && (
          <button disabled={busy} onClick={() => void act(() => send.resolve(item.id, "sendAgain"), "Sending it now.")}>
            {s.kind === "held" ? "Send now" : "Send again"}
          </button>
        )}
        {editable && (
          <button class="secondary" disabled={busy} onClick={() => void edit()}>
            Edit
          </button>
        )}
        {movable && (
          <button class="secondary" disabled={busy} onClick={() => setPicking(!picking)} aria-expanded={picking}>
            Reschedule
          </button>
        )}
        {editable && (
          <button class="secondary danger-text" disabled={busy} onClick={() => void act(() => send.cancel(item.id), "Cancelled: it will not be sent.")}>
            Cancel
          </button>
        )}
        {(s.kind === "handedOver" || s.kind === "cancelling") && (
          <button class="secondary danger-text" disabled={busy || s.kind === "cancelling"} aria-busy={busy || s.kind === "cancelling"} onClick={() => void cancelAtProvider()}>
            {busy || s.kind === "cancelling" ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
    </li>
  );
}

export function Outbox() {
  const [items, setItems] = useState<OutboxItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => onOutboxChanged(reload), []);
  useEffect(() => {
    let live = true;
    send
      .outbox()
      .then((list) => live && (setItems(list), setError(null)))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [version]);

  return (
    <section class="outbox">
      <div class="screen-head">
        <div>
          <h1 tabIndex={-1}>Outbox</h1>
          <p class="count">Emails Inlay sends for you, and where each one stands.</p>
        </div>
        <div class="head-actions">
          <a class="button secondary" href="#/drafts">
            Drafts
          </a>
          <button
            onClick={async () => {
              await openCompose();
              reload();
            }}
          >
            New email
          </button>
        </div>
      </div>
      {error !== null && <Failed message={error} onRetry={reload} />}
      {error === null && items === null && <Skeleton rows={4} label="Loading the outbox" />}
      {items !== null && items.length === 0 && (
        <Empty title="Nothing in the outbox" icon="✉">
          <p>Open a contact or a deal and choose Compose to write an email from Inlay.</p>
        </Empty>
      )}
      {items !== null &&
        GROUPS.map(([group, title]) => {
          const rows = items.filter((i) => describe(i).group === group);
          if (rows.length === 0) return null;
          return (
            <section class="panel" aria-labelledby={`outbox-${group}`} key={group}>
              <h2 id={`outbox-${group}`}>
                {title} <span class="badge">{rows.length}</span>
              </h2>
              <ul class="outbox-list">
                {rows.map((item) => (
                  <Row key={item.id} item={item} reload={reload} />
                ))}
              </ul>
            </section>
          );
        })}
      <TemplatesPanel />
      <SendSettingsPanel />
    </section>
  );
}
