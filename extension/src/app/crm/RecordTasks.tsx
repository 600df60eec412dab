// A record's tasks: tick one done, add one with a due date and a type.
import { useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { TaskRow } from "./TaskRow.js";
import type { RecordRef, Task } from "./types.js";

export function RecordTasks(props: { record: RecordRef; tasks: Task[] }) {
  const app = useApp();
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [kind, setKind] = useState<Task["kind"]>("todo");
  const [error, setError] = useState<string | null>(null);

  async function add(e: Event) {
    e.preventDefault();
    if (!title.trim()) return;
    try {
      await crm.save({
        op: "saveTask",
        task: { title: title.trim(), due: due || null, kind, done: false, related: [props.record], owner: null },
      });
      setTitle("");
      setDue("");
      setError(null);
      app.changed();
      app.announce("Task added.");
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section class="panel" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading">Tasks</h2>
      {props.tasks.length > 0 && (
        <ul class="tasks">
          {props.tasks.map((t) => (
            <TaskRow task={t} key={t.id} />
          ))}
        </ul>
      )}
      <form onSubmit={add} class="task-form" aria-label="New task">
        <input type="text" aria-label="Task" placeholder="Add a task…" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        <input type="date" aria-label="Due date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
        <select aria-label="Task type" value={kind} onChange={(e) => setKind(e.currentTarget.value as Task["kind"])}>
          <option value="todo">To-do</option>
          <option value="call">Call</option>
          <option value="email">Email</option>
        </select>
        <button type="submit" disabled={!title.trim()}>
          Add
        </button>
      </form>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
