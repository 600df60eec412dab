// A screen's row of buttons. The first is the main choice and takes the focus
// as the screen mounts, so every step works from the keyboard alone; the
// others are secondary.
import type { ComponentChildren } from "preact";
import { useAutofocus } from "./focus.js";

export interface Choice {
  label: ComponentChildren;
  onClick: () => void;
  /** The id of the text that explains this choice. */
  describedBy?: string;
}

export function Choices(p: { main: Choice; others?: Choice[] }) {
  const main = useAutofocus<HTMLButtonElement>();
  return (
    <div class="actions">
      <button ref={main} onClick={p.main.onClick} aria-describedby={p.main.describedBy}>
        {p.main.label}
      </button>
      {(p.others ?? []).map((c) => (
        <button class="secondary" onClick={c.onClick} aria-describedby={c.describedBy}>
          {c.label}
        </button>
      ))}
    </div>
  );
}
