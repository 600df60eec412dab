// A record's notes, and the box to add one. The core refuses a note that is
// too large; its words show under the box.
import { useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { when } from "./format.js";
import { useDelete } from "./useDelete.js";
import { refOf, type Note, type RecordRef } from "./types.js";

export function RecordNotes(props: { record: RecordRef; notes: Note[] }) {
  const app = useApp();
  const remove = useDelete();
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function add(e: Event) {
    e.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    try {
      await crm.save({ op: "saveNote", note: { body, related: [props.record] } });
      setBody("");
      setError(null);
      app.changed();
      app.announce("Note added.");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel" aria-labelledby="notes-heading">
      <h2 id="notes-heading">Notes</h2>
      <form onSubmit={add} class="note-form">
        <label for="new-note" class="sr-only">
          New note
        </label>
        <textarea
          id="new-note"
          rows={3}
          placeholder="Write a note…"
          value={body}
          onInput={(e) => setBody(e.currentTarget.value)}
          aria-describedby={error ? "note-error" : undefined}
        />
        {error !== null && (
          <p class="error" id="note-error" role="alert">
            {error}
          </p>
        )}
        <div class="actions end">
          <button type="submit" disabled={busy || !body.trim()}>
            {busy ? "Saving…" : "Add note"}
          </button>
        </div>
      </form>
      <ul class="notes">
        {props.notes.map((n) => (
          <li key={n.id} class="note">
            <p class="note-body">{n.body}</p>
            <div class="note-meta">
              <time dateTime={new Date(n.createdAt).toISOString()}>{when(n.createdAt)}</time>
              <button class="link-button" onClick={() => void remove(refOf("note", n.id), "this note")} aria-label="Delete this note">
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
