// Templates: a name, a subject and a body with tokens ({{contact.firstName}},
// with a fallback {{contact.firstName | there}}), offered in the compose
// dialog. The body is typed as text; the worker stores it as the core
// sanitised it. Which tokens exist and what a missing one does is compose's.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { useApp } from "../crm/context.js";
import { send } from "./api.js";
import { htmlToText, textToHtml } from "./text.js";
import type { Template } from "./types.js";

export function TemplatesPanel() {
  const app = useApp();
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [editing, setEditing] = useState<{ id: string | null; name: string; subject: string; body: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    send
      .templates()
      .then(setTemplates)
      .catch((e: unknown) => setError(errorText(e)));
  }, [version]);

  async function save(e: Event) {
    e.preventDefault();
    if (!editing) return;
    try {
      await send.saveTemplate({ id: editing.id, name: editing.name, subject: editing.subject, html: textToHtml(editing.body) });
      setEditing(null);
      setError(null);
      app.toast({ text: "Template saved: it is offered in every new email." });
      setVersion((v) => v + 1);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function remove(t: Template) {
    try {
      await send.deleteTemplate(t.id);
      app.announce(`Template ${t.name} deleted.`);
      setVersion((v) => v + 1);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section class="panel" aria-labelledby="templates-heading">
      <h2 id="templates-heading">Templates</h2>
      {templates !== null && templates.length === 0 && !editing && <p class="muted">No templates yet: save the emails you write often, with tokens for each record.</p>}
      {templates !== null && templates.length > 0 && (
        <ul class="outbox-list">
          {templates.map((t) => (
            <li key={t.id} class="outbox-item" data-template={t.id}>
              <div class="outbox-main">
                <p class="outbox-subject">{t.name}</p>
                <p class="muted">{t.subject}</p>
              </div>
              <div class="head-actions">
                <button class="secondary" onClick={() => setEditing({ id: t.id, name: t.name, subject: t.subject, body: htmlToText(t.html) })}>
                  Edit
                </button>
                <button class="secondary danger-text" onClick={() => void remove(t)} aria-label={`Delete the template ${t.name}`}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing ? (
        <form onSubmit={save} class="template-form">
          <div class="field">
            <label for="template-name">Template name</label>
            <input id="template-name" type="text" value={editing.name} onInput={(e) => setEditing({ ...editing, name: e.currentTarget.value })} required />
          </div>
          <div class="field">
            <label for="template-subject">Template subject</label>
            <input id="template-subject" type="text" value={editing.subject} onInput={(e) => setEditing({ ...editing, subject: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="template-body">Template message</label>
            <textarea id="template-body" rows={6} value={editing.body} onInput={(e) => setEditing({ ...editing, body: e.currentTarget.value })} />
            <p class="hint">
              Tokens: <code>{"{{contact.firstName}}"}</code>, <code>{"{{company.name}}"}</code>, <code>{"{{deal.name}}"}</code>, <code>{"{{sender.fullName}}"}</code>; a fallback after a bar: <code>{"{{contact.firstName | there}}"}</code>.
            </p>
          </div>
          {error !== null && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="actions end">
            <button type="button" class="secondary" onClick={() => setEditing(null)}>
              Cancel
            </button>
            <button type="submit">Save template</button>
          </div>
        </form>
      ) : (
        <div class="actions">
          <button class="secondary" onClick={() => setEditing({ id: null, name: "", subject: "", body: "" })}>
            New template
          </button>
        </div>
      )}
      {error !== null && !editing && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
