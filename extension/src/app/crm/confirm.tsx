// A modal question (the browser's <dialog>: focus stays inside, Esc cancels),
// asked before anything is deleted. Resolves true when confirmed.
import { render } from "preact";
import { useEffect, useRef } from "preact/hooks";

function Confirm(props: { title: string; text: string; yes: string; done: (ok: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text" onCancel={() => props.done(false)}>
      <h2 id="confirm-title">{props.title}</h2>
      <p id="confirm-text">{props.text}</p>
      <div class="actions end">
        <button class="secondary" onClick={() => props.done(false)}>
          Cancel
        </button>
        <button class="danger" onClick={() => props.done(true)} autoFocus>
          {props.yes}
        </button>
      </div>
    </dialog>
  );
}

export function confirmDialog(title: string, text: string, yes: string): Promise<boolean> {
  const host = document.body.appendChild(document.createElement("div"));
  const before = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      render(null, host);
      host.remove();
      before?.focus();
      resolve(ok);
    };
    render(<Confirm title={title} text={text} yes={yes} done={done} />, host);
  });
}
