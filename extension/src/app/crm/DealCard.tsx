// One deal on the board: draggable, focusable (← → move it one stage), and a
// Move menu listing every stage for those who neither drag nor use arrows.
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "./context.js";
import { dateOnly, money } from "./format.js";
import { go, href } from "./route.js";
import type { Deal, Stage } from "./types.js";

export function DealCard(props: { deal: Deal; stages: Stage[]; onMove: (d: Deal, stage: string, byKeyboard: boolean) => void }) {
  const { settings } = useApp();
  const d = props.deal;
  const [menu, setMenu] = useState(false);
  const menuRef = useRef<HTMLUListElement>(null);
  const moveButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (menu) menuRef.current?.querySelector<HTMLElement>("[role=menuitem]:not([aria-disabled=true])")?.focus();
  }, [menu]);
  const at = props.stages.findIndex((s) => s.id === d.stage);

  function onKeyDown(e: KeyboardEvent) {
    if (e.target !== e.currentTarget) return;
    const next = e.key === "ArrowRight" ? at + 1 : e.key === "ArrowLeft" ? at - 1 : -2;
    if (next >= 0 && next < props.stages.length) {
      e.preventDefault();
      props.onMove(d, props.stages[next]!.id, true);
    } else if (e.key === "Enter") {
      go({ name: "record", kind: "deal", id: d.id });
    }
  }

  return (
    <li
      class="card"
      tabIndex={0}
      draggable
      data-id={d.id}
      aria-label={`${d.name}, ${money(d.amount, d.currency, settings?.currency)}. Press left or right arrow to move it to another stage.`}
      onDragStart={(e) => {
        e.dataTransfer?.setData("text/plain", d.id);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
      }}
      onKeyDown={onKeyDown}
    >
      <a href={href({ name: "record", kind: "deal", id: d.id })} class="card-title" tabIndex={-1}>
        {d.name}
      </a>
      <div class="card-meta">
        <span class="amount">{money(d.amount, d.currency, settings?.currency)}</span>
        {d.closeDate && <span class="muted">Closes {dateOnly(d.closeDate)}</span>}
      </div>
      <div class="move">
        <button
          ref={moveButton}
          class="link-button"
          aria-haspopup="menu"
          aria-expanded={menu}
          aria-label={`Move ${d.name} to another stage`}
          onClick={() => setMenu((m) => !m)}
        >
          Move…
        </button>
        {menu && (
          <ul
            role="menu"
            class="menu"
            aria-label={`Move ${d.name} to`}
            onKeyDown={(e) => {
              const items = [...e.currentTarget.querySelectorAll<HTMLElement>("[role=menuitem]")];
              const i = items.indexOf(document.activeElement as HTMLElement);
              if (e.key === "ArrowDown") (e.preventDefault(), items[(i + 1) % items.length]?.focus());
              else if (e.key === "ArrowUp") (e.preventDefault(), items[(i - 1 + items.length) % items.length]?.focus());
              else if (e.key === "Home") (e.preventDefault(), items[0]?.focus());
              else if (e.key === "End") (e.preventDefault(), items[items.length - 1]?.focus());
              else if (e.key === "Escape") (setMenu(false), moveButton.current?.focus());
            }}
            ref={menuRef}
          >
            {props.stages.map((s) => (
              <li role="none" key={s.id}>
                <button
                  role="menuitem"
                  aria-disabled={s.id === d.stage}
                  onClick={() => {
                    setMenu(false);
                    if (s.id !== d.stage) props.onMove(d, s.id, true);
                  }}
                >
                  {s.name}
                  {s.id === d.stage && <span class="sr-only"> (current)</span>}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}
