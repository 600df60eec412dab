// One task: a checkbox to mark it done, its type, its due date (overdue in
// the error colour, and in words for screen readers).
import type { ComponentChildren } from "preact";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { dateOnly } from "./format.js";
import type { Task } from "./types.js";

const TYPE: Record<Task["kind"], string> = { todo: "To-do", call: "Call", email: "Email" };

export function isOverdue(t: Task, today = new Date().toISOString().slice(0, 10)): boolean {
  return !t.done && t.due !== null && t.due < today;
}

export function TaskRow(props: { task: Task; children?: ComponentChildren }) {
  const app = useApp();
  const t = props.task;
  const overdue = isOverdue(t);
  async function toggle() {
    try {
      await crm.save({ op: "completeTask", task: t.id, done: !t.done });
      app.changed();
      app.announce(t.done ? `“${t.title}” is open again.` : `“${t.title}” done.`);
    } catch (e) {
      app.toast({ text: errorText(e), error: true });
    }
  }
  return (
    <li class={`task${t.done ? " done" : ""}`} data-id={t.id}>
      <input type="checkbox" checked={t.done} onChange={toggle} id={`task-${t.id}`} />
      <label for={`task-${t.id}`} class="task-title">
        {t.title}
      </label>
      <span class={`badge type-${t.kind}`}>{TYPE[t.kind]}</span>
      {props.children}
      <span class={`due${overdue ? " overdue" : ""}`}>
        {t.due ? (
          <>
            {overdue && <span class="sr-only">Overdue: </span>}
            {dateOnly(t.due)}
          </>
        ) : (
          "No due date"
        )}
      </span>
    </li>
  );
}
