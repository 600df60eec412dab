// Drafts: emails written and kept in Inlay, not sent yet; open one to go on
// writing, or delete it.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { useApp } from "../crm/context.js";
import { confirmDialog } from "../crm/confirm.js";
import { Empty, Failed, Skeleton } from "../crm/States.js";
import { onDraftsChanged, send } from "./api.js";
import { openCompose } from "./Compose.js";
import { endToast } from "./endToast.js";
import type { DraftRow } from "./types.js";
import { at } from "./words.js";

export function Drafts() {
  const app = useApp();
  const [drafts, setDrafts] = useState<DraftRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    send
      .drafts()
      .then((list) => (setDrafts(list), setError(null)))
      .catch((e: unknown) => setError(errorText(e)));
  }, [version]);
  // A draft saved, sent or deleted elsewhere (another tab, the compose dialog of a record) shows here at once.
  useEffect(() => onDraftsChanged(reload), []);

  async function open(d: DraftRow) {
    const end = await openCompose({ draft: d });
    const toast = endToast(end);
    if (toast) app.toast(end.kind === "saved" ? { text: "Draft saved." } : toast);
    reload();
  }

  async function remove(d: DraftRow) {
    if (!(await confirmDialog("Delete this draft?", `"${d.subject || "(no subject)"}" and its attachments will be deleted.`, "Delete draft"))) return;
    try {
      await send.deleteDraft(d.id);
      app.announce("Draft deleted.");
      reload();
    } catch (e) {
      app.toast({ text: errorText(e), error: true });
    }
  }

  return (
    <section class="drafts">
      <div class="screen-head">
        <div>
          <nav aria-label="Breadcrumb" class="crumbs">
            <a href="#/outbox">Outbox</a> › Drafts
          </nav>
          <h1 tabIndex={-1}>Drafts</h1>
        </div>
      </div>
      {error !== null && <Failed message={error} onRetry={reload} />}
      {error === null && drafts === null && <Skeleton rows={3} label="Loading drafts" />}
      {drafts !== null && drafts.length === 0 && (
        <Empty title="No drafts" icon="✎">
          <p>Choose Save draft in a new email to keep it here until you send it.</p>
        </Empty>
      )}
      {drafts !== null && drafts.length > 0 && (
        <section class="panel" aria-label="Drafts">
        <ul class="outbox-list">
          {drafts.map((d) => (
            <li key={d.id} class="outbox-item" data-draft={d.id}>
              <div class="outbox-main">
                <p class="outbox-subject">{d.subject || "(no subject)"}</p>
                <p class="muted">
                  To {d.to.map((r) => r.address).join(", ") || "nobody yet"} · edited {at(d.updatedAt)}
                  {d.attachments.length > 0 && ` · ${d.attachments.length} attachment${d.attachments.length > 1 ? "s" : ""}`}
                </p>
              </div>
              <div class="head-actions">
                <button class="secondary" onClick={() => void open(d)}>
                  Open
                </button>
                <button class="secondary danger-text" onClick={() => void remove(d)} aria-label={`Delete the draft ${d.subject || "(no subject)"}`}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
        </section>
      )}
    </section>
  );
}
