// Contacts, Companies or Deals as one virtualised list: only the rows in view
// are in the DOM, and the rows come from the worker in windows (crmList) as
// the view scrolls. Sort by a column header, filter by owner, stage,
// lifecycle stage or last activity.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { SortField } from "../../background/core/generated/SortField.js";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { contactName, dateOnly, initials, kindLabel, lifecycleName, money, ownerName, stageOf, when } from "./format.js";
import { ListFilters } from "./ListFilters.js";
import { href } from "./route.js";
import { Empty, Failed, Skeleton } from "./States.js";
import type { AnyRecord, Company, Contact, Deal, ListFilter, ListKind } from "./types.js";

const ROW = 52;
const WINDOW = 100;
const OVERSCAN = 8;

interface Column {
  label: string;
  /** The sort key crmList takes, if the column sorts. */
  sort?: SortField;
  cell: (r: AnyRecord) => string;
  width: string;
}

function columns(kind: ListKind, settings: ReturnType<typeof useApp>["settings"]): Column[] {
  if (kind === "contact") {
    return [
      { label: "Email", cell: (r) => (r as Contact).emails[0] ?? "—", width: "1.3fr" },
      { label: "Job title", cell: (r) => (r as Contact).jobTitle || "—", width: "1fr" },
      { label: "Lifecycle stage", cell: (r) => lifecycleName((r as Contact).lifecycleStage), width: "1fr" },
      { label: "Owner", cell: (r) => ownerName(settings, (r as Contact).owner), width: ".8fr" },
      { label: "Last activity", sort: "lastActivityAt", cell: (r) => when((r as Contact).lastActivityAt), width: ".8fr" },
    ];
  }
  if (kind === "company") {
    return [
      { label: "Domain", cell: (r) => (r as Company).domains[0] ?? "—", width: "1.2fr" },
      { label: "Owner", cell: (r) => ownerName(settings, (r as Company).owner), width: "1fr" },
      { label: "Last activity", sort: "lastActivityAt", cell: (r) => when((r as Company).lastActivityAt), width: "1fr" },
    ];
  }
  return [
    { label: "Stage", cell: (r) => stageOf(settings, (r as Deal).pipeline, (r as Deal).stage)?.name ?? (r as Deal).stage, width: "1fr" },
    { label: "Amount", sort: "amount", cell: (r) => money((r as Deal).amount, (r as Deal).currency, settings?.currency), width: ".8fr" },
    { label: "Close date", sort: "closeDate", cell: (r) => dateOnly((r as Deal).closeDate), width: ".8fr" },
    { label: "Owner", cell: (r) => ownerName(settings, (r as Deal).owner), width: ".8fr" },
    { label: "Last activity", sort: "lastActivityAt", cell: (r) => when((r as Deal).lastActivityAt), width: ".8fr" },
  ];
}

function title(kind: ListKind, r: AnyRecord): string {
  return kind === "contact" ? contactName(r as Contact) : (r as Company | Deal).name;
}

export function RecordList(props: { kind: ListKind }) {
  const { kind } = props;
  const app = useApp();
  const [sort, setSort] = useState<{ key: SortField; dir: "asc" | "desc" }>({ key: "name", dir: "asc" });
  const [filter, setFilter] = useState<ListFilter>({});
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<Map<number, AnyRecord>>(new Map());
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const viewport = useRef<HTMLDivElement>(null);
  // Windows asked for under the current sort and filter; a new query starts over.
  const query = useRef({ generation: 0, asked: new Set<number>() });

  const fetchWindow = useCallback(
    (start: number) => {
      const q = query.current;
      if (q.asked.has(start)) return;
      q.asked.add(start);
      const generation = q.generation;
      crm
        .list<AnyRecord>(kind, sort.key, sort.dir, filter, start, WINDOW)
        .then((w) => {
          if (generation !== query.current.generation) return;
          setTotal(w.total);
          setRows((old) => {
            const next = new Map(old);
            w.rows.forEach((r, i) => next.set(start + i, r));
            return next;
          });
        })
        .catch((e: unknown) => {
          if (generation !== query.current.generation) return;
          q.asked.delete(start);
          setError(errorText(e));
        });
    },
    [kind, sort, filter],
  );

  // A new sort, filter or write: read again from the top.
  useEffect(() => {
    query.current = { generation: query.current.generation + 1, asked: new Set() };
    setRows(new Map());
    setError(null);
    fetchWindow(0);
  }, [fetchWindow, app.version]);

  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, [total === null]);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(total ?? 0, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  useEffect(() => {
    for (let w = Math.floor(first / WINDOW) * WINDOW; w < last; w += WINDOW) fetchWindow(w);
  }, [first, last, fetchWindow]);

  const cols = columns(kind, app.settings);
  const template = `minmax(220px, 1.6fr) ${cols.map((c) => c.width).join(" ")}`;
  const plural = kindLabel(kind, true);
  const Plural = plural[0]!.toUpperCase() + plural.slice(1);
  const filtered = Object.values(filter).some((v) => v !== null && v !== undefined && v !== "");

  function sortBy(key: SortField) {
    setSort((s) => (s.key === key ? { key, dir: s.dir === "asc" ? "desc" : "asc" } : { key, dir: key === "name" ? "asc" : "desc" }));
  }

  function headerCell(label: string, key?: SortField) {
    const sorted = key && sort.key === key;
    return (
      <div role="columnheader" aria-sort={sorted ? (sort.dir === "asc" ? "ascending" : "descending") : undefined} key={label}>
        {key ? (
          <button class="sort" onClick={() => sortBy(key)} aria-label={`Sort by ${label.toLowerCase()}`}>
            {label}
            <span aria-hidden="true" class="sort-mark">
              {sorted ? (sort.dir === "asc" ? "▲" : "▼") : ""}
            </span>
          </button>
        ) : (
          label
        )}
      </div>
    );
  }

  return (
    <section class="list-screen">
      <div class="screen-head">
        <div>
          <h1 tabIndex={-1}>{Plural}</h1>
          <p class="count" aria-live="polite">
            {total === null ? "\u00a0" : `${total.toLocaleString()} ${total === 1 ? kindLabel(kind) : plural}`}
          </p>
        </div>
        <div class="head-actions">
          {kind === "deal" && (
            <div class="segmented" role="group" aria-label="Deals view">
              <a href="#/deals" aria-current="page">
                List
              </a>
              <a href="#/deals/board">Board</a>
            </div>
          )}
          <a class="button" href={href({ name: "new", kind })}>
            New {kindLabel(kind)}
          </a>
        </div>
      </div>
      <ListFilters kind={kind} filter={filter} onChange={setFilter} />
      {error !== null ? (
        <Failed message={error} onRetry={() => {
            query.current.asked.clear();
            setError(null);
            fetchWindow(0);
          }} />
      ) : total === null ? (
        <Skeleton rows={8} label={`Loading ${plural}`} />
      ) : total === 0 ? (
        filtered ? (
          <Empty title={`No ${plural} match these filters`} icon="⌀">
            <p>Change or clear the filters above to see more.</p>
            <button class="secondary" onClick={() => setFilter({})}>
              Clear filters
            </button>
          </Empty>
        ) : (
          <Empty title={`No ${plural} yet`} icon={kind === "deal" ? "◆" : kind === "company" ? "▣" : "◉"}>
            <p>
              Add your first {kindLabel(kind)}, or bring your {plural} over from HubSpot or a spreadsheet.
            </p>
            <div class="actions">
              <a class="button" href={href({ name: "new", kind })}>
                New {kindLabel(kind)}
              </a>
              <a class="button secondary" href="#/import">
                Import a CSV
              </a>
            </div>
          </Empty>
        )
      ) : (
        <div class="table" role="table" aria-label={Plural} aria-rowcount={total + 1}>
          <div class="thead" role="rowgroup">
            <div class="tr" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
              {headerCell("Name", "name")}
              {cols.map((c) => headerCell(c.label, c.sort))}
            </div>
          </div>
          <div class="viewport" ref={viewport} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} role="rowgroup">
            <div style={{ height: `${total * ROW}px`, position: "relative" }}>
              {Array.from({ length: Math.max(0, last - first) }, (_, k) => {
                const i = first + k;
                const r = rows.get(i);
                const style = { transform: `translateY(${i * ROW}px)`, gridTemplateColumns: template, height: `${ROW}px` };
                if (!r) {
                  return (
                    <div class="tr loading-row" role="row" aria-rowindex={i + 2} style={style} key={`s${i}`}>
                      <div role="cell" class="skeleton-row" />
                    </div>
                  );
                }
                const name = title(kind, r);
                return (
                  <div class="tr" role="row" aria-rowindex={i + 2} style={style} key={r.id} data-id={r.id}>
                    <div role="cell" class="name-cell">
                      <span class={`avatar kind-${kind}`} aria-hidden="true">
                        {initials(name)}
                      </span>
                      <a href={href({ name: "record", kind, id: r.id })}>{name}</a>
                    </div>
                    {cols.map((c) => (
                      <div role="cell" key={c.label}>
                        {c.cell(r)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
