// Settings › Recently deleted: what was deleted in the last 30 days, each
// with Restore (the same undo as the toast's).
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { kindLabel, when } from "./format.js";
import { Empty, Failed, Skeleton } from "./States.js";
import type { TrashEntry } from "./types.js";

export function RecentlyDeleted() {
  const app = useApp();
  const [items, setItems] = useState<TrashEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    crm
      .trash()
      .then((t) => (setItems(t), setError(null)))
      .catch((e: unknown) => setError(errorText(e)));
  }, [app.version]);

  return (
    <section>
      <nav aria-label="Breadcrumb" class="crumbs">
        Settings › Recently deleted
      </nav>
      <h1 tabIndex={-1}>Recently deleted</h1>
      <p class="lede">Deleted records stay here for 30 days, then go for good.</p>
      {error !== null ? (
        <Failed message={error} />
      ) : items === null ? (
        <Skeleton rows={4} label="Loading recently deleted records" />
      ) : items.length === 0 ? (
        <Empty title="Nothing deleted recently" icon="↺">
          <p>When you delete a contact, company, deal, task or note, you can bring it back from here.</p>
        </Empty>
      ) : (
        <ul class="rows panel">
          {items.map((t) => (
            <li key={t.id}>
              <span>
                <strong>{t.title}</strong> <span class="muted">{kindLabel(t.record.split(":")[0] ?? "")} · deleted {when(t.at)}</span>
              </span>
              <button
                class="secondary"
                aria-label={`Restore ${t.title}`}
                onClick={async () => {
                  try {
                    const undone = await crm.save({ op: "undoDelete", trashId: t.id });
                    app.changed();
                    app.toast({ text: undone.message || `Restored “${t.title}”.` });
                  } catch (e) {
                    app.toast({ text: errorText(e), error: true });
                  }
                }}
              >
                Restore
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
