// Picks one record of a kind by searching as you type (crmSearch, the same
// ranking as the header's box): a company for a contact or deal, contacts for
// a deal. A listbox under a text field; ↑↓ Enter Esc.
import { useEffect, useRef, useState } from "preact/hooks";
import { crm } from "./api.js";
import { parseRef, type ListKind, type SearchHit } from "./types.js";

export interface Picked {
  id: string;
  title: string;
}

export function RecordPicker(props: { kind: ListKind; label: string; onPick: (p: Picked) => void; id: string }) {
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [active, setActive] = useState(0);
  const n = useRef(0);

  useEffect(() => {
    const q = query.trim();
    if (!q) return setHits([]);
    const mine = ++n.current;
    const timer = setTimeout(() => {
      crm
        .search(q, 30)
        .then((found) => {
          if (mine !== n.current) return;
          setHits(found.filter((h) => parseRef(h.record)?.kind === props.kind).slice(0, 8));
          setActive(0);
        })
        .catch(() => setHits([]));
    }, 120);
    return () => clearTimeout(timer);
  }, [query]);

  function pick(h: SearchHit) {
    const ref = parseRef(h.record);
    if (!ref) return;
    props.onPick({ id: ref.id, title: h.title });
    setQuery("");
    setHits([]);
  }

  const listId = `${props.id}-options`;
  return (
    <div class="picker">
      <input
        id={props.id}
        type="text"
        role="combobox"
        list={undefined}
        aria-label={props.label}
        aria-expanded={hits.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={hits.length ? `${listId}-${active}` : undefined}
        placeholder="Type to search…"
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && hits.length) (e.preventDefault(), setActive((a) => (a + 1) % hits.length));
          else if (e.key === "ArrowUp" && hits.length) (e.preventDefault(), setActive((a) => (a - 1 + hits.length) % hits.length));
          else if (e.key === "Enter" && hits[active]) (e.preventDefault(), pick(hits[active]));
          else if (e.key === "Escape") setHits([]);
        }}
      />
      {hits.length > 0 && (
        <ul role="listbox" id={listId} class="picker-options" aria-label={props.label}>
          {hits.map((h, i) => (
            <li
              role="option"
              id={`${listId}-${i}`}
              key={h.record}
              aria-selected={i === active}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(h)}
            >
              <span class="hit-title">{h.title}</span> <span class="hit-sub">{h.subtitle}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
