// Settings › Pipelines & owners: who can own records, and the stages deals
// move through. The core validates the whole settings on save (and an
// admin's policy may preset them); its refusal shows in its words.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { Skeleton } from "./States.js";
import type { CrmSettings, CrmSettingsReading } from "./types.js";

export function PipelineSettings() {
  const app = useApp();
  const [draft, setDraft] = useState<CrmSettings | null>(app.settings);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  // Which parts the admin's policy set (read-only here), and what of it was ignored.
  const [policy, setPolicy] = useState<Omit<CrmSettingsReading, "settings"> | null>(null);
  useEffect(() => setDraft(app.settings), [app.settings]);
  useEffect(() => {
    crm
      .settings()
      .then(setPolicy)
      .catch(() => setPolicy(null));
  }, [app.settings]);

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
      {policy && policy.ignored.length > 0 && (
        <section class="policy-notice" role="status" aria-label="Admin policy">
          <h2>Part of your admin's policy was ignored</h2>
          <ul>
            {policy.ignored.map((i) => (
              <li key={i.key}>{i.message}</li>
            ))}
          </ul>
        </section>
      )}
      <section class="panel" aria-labelledby="owners-heading">
        <h2 id="owners-heading">Owners</h2>
        {policy?.ownersFromPolicy && <p class="hint">Your admin sets the owners.</p>}
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
                  disabled={policy?.ownersFromPolicy}
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
          <button type="submit" disabled={!name.trim() || policy?.ownersFromPolicy}>
            Add owner
          </button>
        </form>
      </section>
      {draft.pipelines.map((p, pi) => (
        <section class="panel" key={p.id} aria-label={`Pipeline ${p.name}`}>
          <h2>{p.name}</h2>
          {policy?.pipelinesFromPolicy && <p class="hint">Your admin sets the pipelines.</p>}
          <ol class="stages">
            {p.stages.map((s, si) => (
              <li key={s.id}>
                <input
                  type="text"
                  aria-label={`Name of stage ${si + 1}`}
                  disabled={policy?.pipelinesFromPolicy}
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
            <button class="secondary" onClick={() => void save(draft)} disabled={policy?.pipelinesFromPolicy}>
              Save stage names
            </button>
          </div>
        </section>
      ))}
    </section>
  );
}
