// One toast at a time at the bottom of the page (a save, a delete with its
// Undo, an error in words), and a polite live region for announcements.
// The toast stays while hovered or focused, so its Undo can be reached.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import type { Toast as ToastValue } from "./context.js";

const SHOWN_MS = 8000;

export function Toast(props: { toast: ToastValue | null; onClose: () => void; onReplace?: (next: ToastValue) => void }) {
  const [held, setHeld] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const t = props.toast;
  useEffect(() => setFailure(null), [t]);
  // A toast about something under way (an email being sent) goes when it is over, not after its full time.
  useEffect(() => {
    if (!t?.settle) return;
    let live = true;
    t.settle.then(
      (next) => live && (next && props.onReplace ? props.onReplace(next) : props.onClose()),
      () => live && props.onClose(),
    );
    return () => {
      live = false;
    };
  }, [t]);
  useEffect(() => {
    if (!t || held) return;
    const timer = setTimeout(props.onClose, SHOWN_MS);
    return () => clearTimeout(timer);
  }, [t, held]);
  if (!t) return <div class="toast-region" role="status" aria-live="polite" />;
  return (
    <div class="toast-region" role="status" aria-live="polite">
      <div
        class={`toast${t.error || failure ? " toast-error" : ""}`}
        onMouseEnter={() => setHeld(true)}
        onMouseLeave={() => setHeld(false)}
        onFocusIn={() => setHeld(true)}
        onFocusOut={() => setHeld(false)}
      >
        <span>{failure ?? t.text}</span>
        {t.action && !failure && (
          <button
            class="link-button"
            onClick={async () => {
              try {
                await t.action!.run();
                props.onClose();
              } catch (e) {
                setFailure(errorText(e));
              }
            }}
          >
            {t.action.label}
          </button>
        )}
        <button class="icon-button" aria-label="Close the message" onClick={props.onClose}>
          ×
        </button>
      </div>
    </div>
  );
}

/** Screen-reader announcements: the text changes, the region reads it. */
export function Announcer(props: { text: string }) {
  return (
    <div class="sr-only" aria-live="assertive" id="announcer">
      {props.text}
    </div>
  );
}
