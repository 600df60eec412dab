// Settings › Pipelines & owners: who can own records, and the stages deals
// move through. The core validates the whole settings on save (and an
// admin's policy may preset them); its refusal shows in its words.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { Skeleton } from "./States.js";
import type { CrmSettings } from "./types.js";

export function PipelineSettings() {
  const app = useApp();
  const [draft, setDraft] = useState<CrmSettings | null>(app.settings);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  useEffect(() => setDraft(app.settings), [app.settings]);

  async function save(next: CrmSettings) {
    try {
      const saved = await crm.saveSettings(next);
      setDraft(saved.settings);
      setError(null);
      app.reloadSettings();
      app.toast({ text: "Settings saved." });
    } catch (e) {
      setError(errorText(e));
    }
  }

  if (!draft) {
    return (
      <section>
        <h1 tabIndex={-1}>Pipelines & owners</h1>
        <Skeleton rows={5} label="Loading settings" />
      </section>
    );
  }
  return (
    <section>
      <nav aria-label="Breadcrumb" class="crumbs">
        Settings › Pipelines & owners
      </nav>
      <h1 tabIndex={-1}>Pipelines & owners</h1>
      {error !== null && (
        <p class="error banner" role="alert">
          {error}
        </p>
      )}
      <section class="panel" aria-labelledby="owners-heading">
        <h2 id="owners-heading">Owners</h2>
        {draft.owners.length === 0 ? (
          <p class="muted">No owners yet. Add the people who own contacts and deals.</p>
        ) : (
          <ul class="rows">
            {draft.owners.map((o) => (
              <li key={o.id}>
                <span>
                  <strong>{o.name}</strong> {o.email && <span class="muted">{o.email}</span>}
                </span>
                <button
                  class="link-button"
                  aria-label={`Remove owner ${o.name}`}
                  onClick={() => void save({ ...draft, owners: draft.owners.filter((x) => x.id !== o.id) })}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          class="inline-form"
          aria-label="Add an owner"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            const id = `ow_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
            void save({ ...draft, owners: [...draft.owners, { id, name: name.trim(), email: email.trim() || null }] }).then(() => {
              setName("");
              setEmail("");
            });
          }}
        >
          <input type="text" aria-label="Owner's name" placeholder="Name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <input type="email" aria-label="Owner's email address" placeholder="Email (optional)" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          <button type="submit" disabled={!name.trim()}>
            Add owner
          </button>
        </form>
      </section>
      {draft.pipelines.map((p, pi) => (
        <section class="panel" key={p.id} aria-label={`Pipeline ${p.name}`}>
          <h2>{p.name}</h2>
          <ol class="stages">
            {p.stages.map((s, si) => (
              <li key={s.id}>
                <input
                  type="text"
                  aria-label={`Name of stage ${si + 1}`}
                  value={s.name}
                  onChange={(e) => {
                    const pipelines = structuredClone(draft.pipelines);
                    pipelines[pi]!.stages[si]!.name = e.currentTarget.value;
                    setDraft({ ...draft, pipelines });
                  }}
                />
                <span class="muted">{Math.round(s.probability * 100)}%</span>
                {s.closed && <span class={`badge ${s.closed}`}>{s.closed === "won" ? "Won" : "Lost"}</span>}
              </li>
            ))}
          </ol>
          <div class="actions">
            <button class="secondary" onClick={() => void save(draft)}>
              Save stage names
            </button>
          </div>
        </section>
      ))}
    </section>
  );
}
