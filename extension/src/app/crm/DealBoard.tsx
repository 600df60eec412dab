// Deals by stage. Move a deal by dragging its card to another column, or
// from the keyboard: ← → on a focused card moves it one stage, and its
// "Move" menu lists every stage. Each move is announced to screen readers.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { DealCard } from "./DealCard.js";
import { useApp } from "./context.js";
import { money } from "./format.js";
import { Empty, Failed, Skeleton } from "./States.js";
import type { BoardColumn, Deal } from "./types.js";

export function DealBoard() {
  const app = useApp();
  const pipelines = app.settings?.pipelines ?? [];
  const [pipeline, setPipeline] = useState<string | null>(null);
  const current = pipeline ?? pipelines[0]?.id ?? null;
  const [columns, setColumns] = useState<BoardColumn[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  // The card to focus after a keyboard move (it re-renders in its new column).
  const [focusId, setFocusId] = useState<string | null>(null);

  useEffect(() => {
    if (!current) return;
    let live = true;
    crm
      .board(current)
      .then((b) => live && (setColumns(b.stages), setError(null)))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [current, app.version]);

  const stages = pipelines.find((p) => p.id === current)?.stages ?? [];
  const stageName = (id: string) => stages.find((s) => s.id === id)?.name ?? id;

  async function move(deal: Deal, stage: string, byKeyboard: boolean) {
    if (deal.stage === stage) return;
    // Shown at once; the worker's answer (or its refusal) follows.
    setColumns((cols) =>
      cols?.map((c) => ({
        ...c,
        deals: c.stage === stage ? [{ ...deal, stage }, ...c.deals] : c.deals.filter((d) => d.id !== deal.id),
      })) ?? null,
    );
    if (byKeyboard) setFocusId(deal.id);
    try {
      await crm.save({ op: "moveDeal", deal: deal.id, stage });
      app.announce(`Moved “${deal.name}” to ${stageName(stage)}.`);
    } catch (e) {
      app.toast({ text: errorText(e), error: true });
    }
    app.changed();
  }

  useEffect(() => {
    if (!focusId) return;
    const card = document.querySelector<HTMLElement>(`.card[data-id="${CSS.escape(focusId)}"]`);
    if (!card) return;
    card.focus();
    setFocusId(null);
  });

  const head = (
    <div class="screen-head">
      <div>
        <h1 tabIndex={-1}>Deals</h1>
        <p class="count">Drag a card to move it, or focus it and use ← →.</p>
      </div>
      <div class="head-actions">
        {pipelines.length > 1 && (
          <label class="inline">
            <span>Pipeline</span>
            <select value={current ?? ""} onChange={(e) => setPipeline(e.currentTarget.value)}>
              {pipelines.map((p) => (
                <option value={p.id} key={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <div class="segmented" role="group" aria-label="Deals view">
          <a href="#/deals">List</a>
          <a href="#/deals/board" aria-current="page">
            Board
          </a>
        </div>
        <a class="button" href="#/new/deal">
          New deal
        </a>
      </div>
    </div>
  );

  if (error !== null) return <section>{head}<Failed message={error} /></section>;
  if (!columns) return <section>{head}<Skeleton rows={4} label="Loading the board" /></section>;
  const count = columns.reduce((n, c) => n + c.count, 0);
  return (
    <section class="board-screen">
      {head}
      {count === 0 && (
        <Empty title="No deals in this pipeline yet" icon="◆">
          <p>Create a deal to see it here, then drag it from stage to stage as it moves.</p>
        </Empty>
      )}
      <div class="board" role="list" aria-label="Stages">
        {columns.map((col) => (
          <section
            role="listitem"
            class={`column${over === col.stage ? " drop-target" : ""}`}
            key={col.stage}
            aria-labelledby={`col-${col.stage}`}
            data-stage={col.stage}
            onDragOver={(e) => {
              e.preventDefault();
              setOver(col.stage);
            }}
            onDragLeave={() => setOver((o) => (o === col.stage ? null : o))}
            onDrop={(e) => {
              e.preventDefault();
              setOver(null);
              const id = e.dataTransfer?.getData("text/plain");
              const deal = columns.flatMap((c) => c.deals).find((d) => d.id === id);
              if (deal) void move(deal, col.stage, false);
            }}
          >
            <header class="column-head">
              <h2 id={`col-${col.stage}`}>{stageName(col.stage)}</h2>
              <span class="column-meta">
                {col.deals.length} · {money(col.total, app.settings?.currency ?? "USD")}
              </span>
            </header>
            <ul class="cards" aria-label={`Deals in ${stageName(col.stage)}`}>
              {col.deals.map((d) => (
                <DealCard key={d.id} deal={d} stages={stages} onMove={move} />
              ))}
            </ul>
          </section>
        ))}
      </div>
    </section>
  );
}
