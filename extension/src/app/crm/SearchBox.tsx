// The header's one search box: finds any record as you type (the worker
// ranks, the core decides the order). An ARIA combobox: ↑↓ move through the
// results, Enter opens one, Esc closes the list (and clears on a second Esc).
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { initials, kindLabel } from "./format.js";
import { go } from "./route.js";
import { parseRef, type SearchHit } from "./types.js";

const DEBOUNCE_MS = 120;

export function SearchBox() {
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  // The query `hits` answer: while a newer one is pending the list says it is
  // busy, so neither a reader nor a test takes the last answer for this one.
  const [hitsFor, setHitsFor] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const asked = useRef(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setHits(null);
      setError(null);
      return;
    }
    const n = ++asked.current;
    const timer = setTimeout(() => {
      crm
        .search(q)
        .then((found) => {
          if (n !== asked.current) return;
          setHits(found);
          setHitsFor(q);
          setError(null);
          setActive(found.length ? 0 : -1);
        })
        .catch((e: unknown) => n === asked.current && setError(errorText(e)));
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query]);

  // "/" from anywhere focuses the box, as in most web tools.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key === "/" && !(t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  function choose(hit: SearchHit) {
    const ref = parseRef(hit.record);
    if (!ref || ref.kind === "task" || ref.kind === "note") return;
    go({ name: "record", kind: ref.kind, id: ref.id });
    setOpen(false);
    setQuery("");
    input.current?.blur();
  }

  function onKeyDown(e: KeyboardEvent) {
    const list = hits ?? [];
    if (e.key === "ArrowDown" && list.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % list.length);
    } else if (e.key === "ArrowUp" && list.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a <= 0 ? list.length - 1 : a - 1));
    } else if (e.key === "Enter" && open && list[active]) {
      e.preventDefault();
      choose(list[active]);
    } else if (e.key === "Escape") {
      if (open && query) setOpen(false);
      else setQuery("");
    }
  }

  const showList = open && query.trim() !== "" && (hits !== null || error !== null);
  return (
    <div class="search" role="search">
      <span class="search-icon" aria-hidden="true">
        ⌕
      </span>
      <input
        ref={input}
        type="search"
        role="combobox"
        list={undefined}
        aria-label="Search contacts, companies and deals"
        aria-expanded={showList}
        aria-controls="search-results"
        aria-autocomplete="list"
        aria-activedescendant={showList && active >= 0 ? `search-hit-${active}` : undefined}
        placeholder="Search contacts, companies, deals…  /"
        value={query}
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <ul
          id="search-results"
          role="listbox"
          aria-label="Search results"
          aria-busy={hitsFor !== query.trim()}
          data-query={hitsFor}
          class="search-results"
        >
          {error !== null ? (
            <li class="error" role="presentation">
              {error}
            </li>
          ) : hits!.length === 0 ? (
            <li class="empty-hit" role="presentation">
              Nothing matches “{query.trim()}”. Try a name, an address or a company.
            </li>
          ) : (
            hits!.map((hit, i) => {
              const kind = hit.record.split(":")[0] ?? "";
              return (
                <li
                  id={`search-hit-${i}`}
                  key={hit.record}
                  role="option"
                  aria-selected={i === active}
                  data-record={hit.record}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choose(hit)}
                  onMouseEnter={() => setActive(i)}
                >
                  <span class={`avatar kind-${kind}`} aria-hidden="true">
                    {initials(hit.title)}
                  </span>
                  <span class="hit-text">
                    <span class="hit-title">{hit.title}</span>
                    <span class="hit-sub">{hit.subtitle}</span>
                  </span>
                  <span class="hit-kind">{kindLabel(kind)}</span>
                </li>
              );
            })
          )}
        </ul>
      )}
    </div>
  );
}
