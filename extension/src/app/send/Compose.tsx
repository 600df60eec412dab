// The compose dialog (a modal <dialog>: focus stays inside, Esc closes it):
// From (connected inboxes and their verified aliases), To/Cc/Bcc, subject,
// a rich-text body, attachments, templates with a token picker, the
// inbox's signature, Send or Schedule, Save draft. Every rule (tokens,
// sanitising, limits, header injection) is the core's: its refusal shows
// under the form in its words. The body's HTML goes to the worker, which
// has the core sanitise it before anything is stored or sent; a paste
// goes in as plain text, so nothing foreign enters the editor.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { send } from "./api.js";
import type { ComposeInfo, DraftRow, OutboxItem, SendAttachmentRef, SendDraft, SendRecipient } from "./types.js";
import { size } from "./words.js";

export type ComposeEnd = { kind: "sent" | "scheduled"; item: OutboxItem } | { kind: "saved"; draft: DraftRow } | { kind: "closed" };

interface Props {
  record: string | null;
  draft: DraftRow | null;
  /** A reply to this timeline entry (its id): To, From, subject and the thread come from it. */
  reply: string | null;
  done: (end: ComposeEnd) => void;
}

/** "Ann <ann@x>, bob@y" → recipients; the core checks each address. */
export function parseRecipients(text: string): SendRecipient[] {
  return text
    .split(/[,;\n]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(.*)<([^<>]+)>$/.exec(part);
      if (!m) return { address: part, name: null };
      const name = m[1]!.trim().replace(/^"(.*)"$/, "$1");
      return { address: m[2]!.trim(), name: name || null };
    });
}

export function formatRecipients(list: SendRecipient[]): string {
  return list.map((r) => (r.name ? `${r.name} <${r.address}>` : r.address)).join(", ");
}

/** A datetime-local value for `ms` in the user's time zone. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

type Pending = SendAttachmentRef & { uploading?: boolean };

function ComposeDialog(props: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const editor = useRef<HTMLDivElement>(null);
  const subjectInput = useRef<HTMLInputElement>(null);
  const lastField = useRef<"subject" | "body">("body");
  const d = props.draft;
  const [info, setInfo] = useState<ComposeInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draftId, setDraftId] = useState<string | null>(d?.id ?? null);
  const [from, setFrom] = useState(d?.from ?? "");
  const [to, setTo] = useState(d ? formatRecipients(d.to) : "");
  const [cc, setCc] = useState(d ? formatRecipients(d.cc) : "");
  const [bcc, setBcc] = useState(d ? formatRecipients(d.bcc) : "");
  const [showCopies, setShowCopies] = useState(!!(d && (d.cc.length || d.bcc.length)));
  const [subject, setSubject] = useState(d?.subject ?? "");
  const [signature, setSignature] = useState(d?.signature ?? true);
  const [attachments, setAttachments] = useState<Pending[]>(d?.attachments ?? []);
  const [token, setToken] = useState("");
  const [scheduling, setScheduling] = useState(false);
  const [when, setWhen] = useState(() => localInput(Date.now() + 3600_000));
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The thread a reply stays in: the answered email's ids, and the provider's thread of the inbox it went through.
  const [thread, setThread] = useState<{ inReplyTo: string | null; references: string[]; threadId: string | null; inbox: string | null }>({
    inReplyTo: d?.inReplyTo ?? null,
    references: d?.references ?? [],
    threadId: d?.threadId ?? null,
    inbox: null,
  });
  const record = d?.record ?? props.record;

  useEffect(() => {
    dialog.current?.showModal();
    // The stored body is the core's sanitised HTML.
    if (d && editor.current) editor.current.innerHTML = d.html;
    send
      .compose(record ?? null, props.reply)
      .then((i) => {
        setInfo(i);
        const r = i.reply;
        if (r) {
          setThread({ inReplyTo: r.inReplyTo, references: r.references, threadId: r.threadId, inbox: r.inbox });
          const offered = i.senders.some((s) => s.inbox === r.from || s.aliases.includes(r.from));
          setFrom(offered ? r.from : i.senders[0]?.inbox || "");
          setSubject(r.subject);
          if (r.to.length) setTo(r.to.join(", "));
          else if (i.to.length) setTo(formatRecipients(i.to));
          return;
        }
        setFrom((f) => f || i.senders[0]?.inbox || "");
        if (!d && i.to.length) setTo(formatRecipients(i.to));
      })
      .catch((e: unknown) => setLoadError(errorText(e)));
  }, []);

  const sender = info?.senders.find((s) => s.inbox === from || s.aliases.includes(from));

  function draft(): SendDraft {
    return {
      id: draftId,
      from,
      to: parseRecipients(to),
      cc: parseRecipients(cc),
      bcc: parseRecipients(bcc),
      subject,
      html: editor.current?.innerHTML ?? "",
      attachments: attachments.filter((a) => !a.uploading).map(({ uploading: _u, ...a }) => a),
      record: record ?? null,
      signature,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      // A provider's thread id means something only to the inbox it came from (another inbox threads by the headers).
      threadId: thread.inbox === null || sender?.inbox === thread.inbox ? thread.threadId : null,
    };
  }

  async function run(label: string, action: () => Promise<void>) {
    if (attachments.some((a) => a.uploading)) {
      setError("An attachment is still being added: wait until it shows its size, then try again.");
      return;
    }
    setBusy(label);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  const sendNow = () => run("Sending…", async () => props.done({ kind: "sent", item: await send.submit(draft(), null) }));
  const schedule = () =>
    run("Scheduling…", async () => {
      const ms = new Date(when).getTime();
      if (!Number.isFinite(ms)) throw new Error("Choose the date and time to send it at.");
      if (ms <= Date.now()) throw new Error("That time has passed: choose a later one, or send it now.");
      props.done({ kind: "scheduled", item: await send.submit(draft(), ms) });
    });
  const save = () =>
    run("Saving…", async () => {
      const saved = await send.saveDraft(draft());
      setDraftId(saved.id);
      props.done({ kind: "saved", draft: saved });
    });

  async function addFiles(files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      // A line break in a file name could add a header to the email: said here, not as the worker's bare refusal at Send.
      if (/\p{Cc}/u.test(file.name)) {
        setError(`${file.name.replace(/\p{Cc}+/gu, " ")} can't be attached: its name has a line break or another control character. Rename the file, then attach it again.`);
        continue;
      }
      const temp = `pending-${Math.random()}`;
      setAttachments((list) => [...list, { id: temp, name: file.name, contentType: file.type || "application/octet-stream", size: file.size, uploading: true }]);
      try {
        const id = await send.attach(file);
        setAttachments((list) => list.map((a) => (a.id === temp ? { id, name: file.name, contentType: file.type || "application/octet-stream", size: file.size } : a)));
      } catch (e) {
        setAttachments((list) => list.filter((a) => a.id !== temp));
        setError(`${file.name} could not be attached: ${errorText(e)}`);
      }
    }
  }

  function applyTemplate(id: string) {
    const t = info?.templates.find((x) => x.id === id);
    if (!t) return;
    setSubject(t.subject);
    // Templates are stored as the core sanitised them.
    if (editor.current) editor.current.innerHTML = t.html;
  }

  function insertToken() {
    if (!token) return;
    const text = `{{${token}}}`;
    if (lastField.current === "subject" && subjectInput.current) {
      const input = subjectInput.current;
      const start = input.selectionStart ?? subject.length;
      const end = input.selectionEnd ?? start;
      setSubject(subject.slice(0, start) + text + subject.slice(end));
      input.focus();
      return;
    }
    editor.current?.focus();
    document.execCommand("insertText", false, text);
  }

  const format = (command: string) => {
    editor.current?.focus();
    document.execCommand(command);
  };

  return (
    <dialog
      ref={dialog}
      class="compose"
      aria-labelledby="compose-title"
      onCancel={(e) => {
        e.preventDefault();
        props.done({ kind: "closed" });
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void (scheduling ? schedule() : sendNow());
        }}
      >
        <div class="compose-head">
          <h2 id="compose-title">{d ? "Edit draft" : props.reply ? "Reply" : "New email"}</h2>
          <button type="button" class="icon-button" aria-label="Close without sending" onClick={() => props.done({ kind: "closed" })}>
            ×
          </button>
        </div>
        {loadError !== null && (
          <p class="error banner" role="alert">
            {loadError}
          </p>
        )}
        {info && info.senders.length === 0 && (
          <p class="error banner" role="alert">
            No inbox is connected: connect one in Settings › Email to send from it.
          </p>
        )}
        <div class="compose-fields">
          <label for="compose-from">From</label>
          <select id="compose-from" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
            {info?.senders.flatMap((s) =>
              [s.inbox, ...s.aliases].map((address) => (
                <option key={address} value={address}>
                  {address}
                  {address !== s.inbox ? ` (alias of ${s.inbox})` : ""}
                  {s.state === "needsReauthentication" ? " — needs you to sign in again" : ""}
                </option>
              )),
            )}
          </select>
          <label for="compose-to">To</label>
          <div class="compose-line">
            <input id="compose-to" type="text" value={to} onInput={(e) => setTo(e.currentTarget.value)} aria-describedby="compose-to-hint" autoComplete="off" />
            {!showCopies && (
              <button type="button" class="link-button" onClick={() => setShowCopies(true)}>
                Cc / Bcc
              </button>
            )}
          </div>
          <p class="hint sr-only" id="compose-to-hint">
            Addresses separated by commas, e.g. Ann Lee &lt;ann@example.com&gt;
          </p>
          {showCopies && (
            <>
              <label for="compose-cc">Cc</label>
              <input id="compose-cc" type="text" value={cc} onInput={(e) => setCc(e.currentTarget.value)} autoComplete="off" />
              <label for="compose-bcc">Bcc</label>
              <input id="compose-bcc" type="text" value={bcc} onInput={(e) => setBcc(e.currentTarget.value)} autoComplete="off" />
            </>
          )}
          <label for="compose-subject">Subject</label>
          <input
            id="compose-subject"
            ref={subjectInput}
            type="text"
            value={subject}
            onInput={(e) => setSubject(e.currentTarget.value)}
            onFocus={() => (lastField.current = "subject")}
          />
        </div>

        <div class="compose-tools" role="toolbar" aria-label="Formatting and templates">
          <button type="button" class="secondary" onClick={() => format("bold")} aria-label="Bold">
            <b>B</b>
          </button>
          <button type="button" class="secondary" onClick={() => format("italic")} aria-label="Italic">
            <i>I</i>
          </button>
          <button type="button" class="secondary" onClick={() => format("insertUnorderedList")} aria-label="Bulleted list">
            ••
          </button>
          {info && info.templates.length > 0 && (
            <>
              <label for="compose-template" class="sr-only">
                Template
              </label>
              <select id="compose-template" value="" onChange={(e) => applyTemplate(e.currentTarget.value)}>
                <option value="">Use a template…</option>
                {info.templates.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </>
          )}
          <label for="compose-token" class="sr-only">
            Personalisation token
          </label>
          <select id="compose-token" value={token} onChange={(e) => setToken(e.currentTarget.value)}>
            <option value="">Token…</option>
            {info?.tokenNames.map((name) => (
              <option key={name} value={name}>
                {name}
                {info.tokens[name] !== undefined ? ` — ${info.tokens[name]}` : " — no value here"}
              </option>
            ))}
          </select>
          <button type="button" class="secondary" onClick={insertToken} disabled={!token}>
            Insert token
          </button>
        </div>
        <p class="hint">
          A token with no value blocks sending unless it has a fallback: <code>{"{{contact.firstname | there}}"}</code>.
        </p>
        <label id="compose-body-label">Message</label>
        <div
          ref={editor}
          class="editor"
          contentEditable
          role="textbox"
          aria-multiline="true"
          aria-labelledby="compose-body-label"
          tabIndex={0}
          onFocus={() => (lastField.current = "body")}
          onPaste={(e) => {
            e.preventDefault();
            document.execCommand("insertText", false, e.clipboardData?.getData("text/plain") ?? "");
          }}
        />
        {sender?.signature != null && (
          <label class="check">
            <input type="checkbox" checked={signature} onChange={(e) => setSignature(e.currentTarget.checked)} />
            Add the signature of {sender.inbox}
          </label>
        )}

        <div class="compose-attach">
          <label class="button secondary" for="compose-files">
            Attach files
          </label>
          <input id="compose-files" class="visually-hidden-file" type="file" multiple onChange={(e) => void addFiles(e.currentTarget.files)} />
          {attachments.length > 0 && (
            <ul class="chips" aria-label="Attachments">
              {attachments.map((a) => (
                <li key={a.id}>
                  {a.name} · {a.uploading ? "adding…" : size(a.size)}
                  <button
                    type="button"
                    class="icon-button"
                    aria-label={`Remove ${a.name}`}
                    onClick={() => setAttachments((list) => list.filter((x) => x.id !== a.id))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>

        {scheduling && (
          <div class="compose-schedule">
            <label for="compose-when">Send at</label>
            <input id="compose-when" type="datetime-local" value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
            <p class="hint">
              {sender?.canDeferDelivery
                ? `${sender.kind === "exchange" ? "Exchange" : "Microsoft"} delivers it at this time even if your browser is closed.`
                : "It leaves while your browser is open; if it is closed at that time, it goes when the browser next starts (Settings › Email says whether to hold it for you)."}
            </p>
          </div>
        )}

        {error !== null && (
          <p class="error form-error" role="alert" id="compose-error">
            {error}
          </p>
        )}
        <div class="actions end">
          <button type="button" class="secondary" onClick={() => void save()} disabled={busy !== null}>
            Save draft
          </button>
          <button type="button" class="secondary" onClick={() => setScheduling(!scheduling)} aria-expanded={scheduling} disabled={busy !== null}>
            {scheduling ? "Send now instead" : "Schedule…"}
          </button>
          <button type="submit" disabled={busy !== null || !info || info.senders.length === 0}>
            {busy ?? (scheduling ? "Schedule" : "Send")}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Opens the compose dialog over the page; resolves how it ended. Focus returns where it was. */
export function openCompose(options: { record?: string | null; draft?: DraftRow | null; reply?: string | null } = {}): Promise<ComposeEnd> {
  const host = document.body.appendChild(document.createElement("div"));
  const before = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const done = (end: ComposeEnd) => {
      render(null, host);
      host.remove();
      before?.focus();
      resolve(end);
    };
    render(<ComposeDialog record={options.record ?? null} draft={options.draft ?? null} reply={options.reply ?? null} done={done} />, host);
  });
}
