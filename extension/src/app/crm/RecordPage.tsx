// One contact, company or deal: its properties, what it is associated with,
// its timeline (newest first), its tasks and notes; edit and delete.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { Associations } from "./Associations.js";
import { useApp } from "./context.js";
import { contactName, initials, kindLabel, money, recordTitle, stageOf } from "./format.js";
import { Properties } from "./Properties.js";
import { RecordForm } from "./RecordForm.js";
import { RecordNotes } from "./RecordNotes.js";
import { RecordTasks } from "./RecordTasks.js";
import { go, listSlug } from "./route.js";
import { Failed, Skeleton } from "./States.js";
import { Timeline } from "./Timeline.js";
import { refOf, type Company, type Contact, type Deal, type ListKind, type RecordView } from "./types.js";
import { useDelete } from "./useDelete.js";
import { ComposeButton } from "../send/ComposeButton.js";

export function RecordPage(props: { kind: ListKind; id: string }) {
  const { kind, id } = props;
  const app = useApp();
  const remove = useDelete();
  const ref = refOf(kind, id);
  const [view, setView] = useState<RecordView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    let live = true;
    crm
      .get(ref)
      .then((v) => live && (setView(v), setError(null)))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [ref, app.version]);

  const listName = kindLabel(kind, true);
  const crumbs = (
    <nav aria-label="Breadcrumb" class="crumbs">
      <a href={`#/${listSlug(kind)}`}>{listName[0]!.toUpperCase() + listName.slice(1)}</a>
      {view && <> › {recordTitle(kind, view.record)}</>}
    </nav>
  );
  if (error !== null) {
    return (
      <section>
        {crumbs}
        <h1 tabIndex={-1}>This {kindLabel(kind)} could not be opened</h1>
        <Failed message={error} />
      </section>
    );
  }
  if (!view) {
    return (
      <section aria-busy="true">
        {crumbs}
        <div class="record-head">
          <span class="avatar large skeleton-avatar" aria-hidden="true" />
          <div class="skeleton-title" />
        </div>
        <Skeleton rows={5} label={`Loading this ${kindLabel(kind)}`} />
      </section>
    );
  }

  const title = recordTitle(kind, view.record);
  const known: Record<string, string> = {};
  view.associations.companies.forEach((c) => (known[c.id] = c.name));
  view.associations.contacts.forEach((c) => (known[c.id] = contactName(c)));
  let subtitle = "";
  if (kind === "contact") {
    const c = view.record as Contact;
    subtitle = [c.jobTitle, view.associations.companies[0]?.name].filter(Boolean).join(" · ") || (c.emails[0] ?? "");
  } else if (kind === "company") {
    subtitle = (view.record as Company).domains.join(", ");
  } else if (kind === "deal") {
    const d = view.record as Deal;
    subtitle = [money(d.amount, d.currency, app.settings?.currency), stageOf(app.settings, d.pipeline, d.stage)?.name].filter(Boolean).join(" · ");
  }

  return (
    <article class="record" data-record={ref}>
      {crumbs}
      <div class="record-head">
        <span class={`avatar large kind-${kind}`} aria-hidden="true">
          {initials(title)}
        </span>
        <div class="record-title">
          <h1 tabIndex={-1}>{title}</h1>
          {subtitle && <p class="muted">{subtitle}</p>}
        </div>
        <div class="head-actions">
          {(kind === "contact" || kind === "deal") && <ComposeButton record={ref} />}
          <button class="secondary" onClick={() => setEditing(true)} aria-expanded={editing}>
            Edit
          </button>
          <button
            class="secondary danger-text"
            onClick={async () => {
              if (await remove(ref, title)) go({ name: "list", kind });
            }}
          >
            Delete
          </button>
        </div>
      </div>
      {editing && (
        <div class="panel">
          <RecordForm kind={kind} existing={view.record as never} known={known} onDone={() => setEditing(false)} />
        </div>
      )}
      <div class="record-grid">
        <div class="record-side">
          <section class="panel" aria-labelledby="props-heading">
            <h2 id="props-heading">About</h2>
            <Properties kind={kind} record={view.record} />
          </section>
          <Associations
            {...view.associations}
            show={kind === "contact" ? ["company", "deal"] : kind === "company" ? ["contact", "deal"] : ["company", "contact"]}
          />
        </div>
        <div class="record-main">
          <RecordNotes record={ref} notes={view.notes} />
          <RecordTasks record={ref} tasks={view.tasks} />
          <section class="panel" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Activity</h2>
            <Timeline record={ref} entries={view.timeline} more={view.more} />
          </section>
        </div>
      </div>
    </article>
  );
}
