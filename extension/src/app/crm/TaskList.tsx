// Every task with its due date: open, overdue, due today or done.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { href } from "./route.js";
import { Empty, Failed, Skeleton } from "./States.js";
import { TaskRow } from "./TaskRow.js";
import { parseRef, type Task, type TaskFilter } from "./types.js";

const TABS: [TaskFilter, string][] = [
  ["open", "Open"],
  ["today", "Due today"],
  ["overdue", "Overdue"],
  ["done", "Done"],
];

const EMPTY: Record<TaskFilter, [string, string]> = {
  open: ["No open tasks", "Add a task from a contact, company or deal page: it shows up here with its due date."],
  today: ["Nothing due today", "Tasks due today show up here."],
  overdue: ["Nothing overdue", "You're on top of things."],
  done: ["No finished tasks yet", "Tick a task when it's done and it moves here."],
};

export function TaskList() {
  const app = useApp();
  const [filter, setFilter] = useState<TaskFilter>("open");
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    crm
      .tasks(filter)
      .then((w) => live && (setTasks(w.rows), setError(null)))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [filter, app.version]);

  return (
    <section>
      <div class="screen-head">
        <div>
          <h1 tabIndex={-1}>Tasks</h1>
          <p class="count">{tasks ? `${tasks.length} ${tasks.length === 1 ? "task" : "tasks"}` : "\u00a0"}</p>
        </div>
      </div>
      <div class="tabs" role="tablist" aria-label="Which tasks">
        {TABS.map(([f, label]) => (
          <button
            role="tab"
            key={f}
            id={`tab-${f}`}
            aria-selected={f === filter}
            aria-controls="task-panel"
            tabIndex={f === filter ? 0 : -1}
            onClick={() => (setTasks(null), setFilter(f))}
            onKeyDown={(e) => {
              const i = TABS.findIndex(([x]) => x === filter);
              const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : null;
              if (next === null) return;
              const [nf] = TABS[(next + TABS.length) % TABS.length]!;
              setTasks(null);
              setFilter(nf);
              document.getElementById(`tab-${nf}`)?.focus();
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div id="task-panel" role="tabpanel" aria-labelledby={`tab-${filter}`}>
        {error !== null ? (
          <Failed message={error} />
        ) : tasks === null ? (
          <Skeleton rows={5} label="Loading tasks" />
        ) : tasks.length === 0 ? (
          <Empty title={EMPTY[filter][0]} icon="✓">
            <p>{EMPTY[filter][1]}</p>
          </Empty>
        ) : (
          <ul class="tasks panel">
            {tasks.map((t) => (
              <TaskRow task={t} key={t.id}>
                <Related task={t} />
              </TaskRow>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function Related(props: { task: Task }) {
  const first = props.task.related.map(parseRef).find((r) => r && r.kind !== "task" && r.kind !== "note");
  if (!first) return null;
  const kind = first.kind as "contact" | "company" | "deal";
  return (
    <a class="related" href={href({ name: "record", kind, id: first.id })}>
      Open {kind}
    </a>
  );
}
