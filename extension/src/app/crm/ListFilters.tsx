// The filters above a list: owner, stage (deals), lifecycle stage (contacts)
// and last activity. What a filter means is the core's; this only picks.
import { useApp } from "./context.js";
import { LIFECYCLE } from "./format.js";
import type { ListFilter, ListKind } from "./types.js";

const ACTIVITY: [number, string][] = [
  [7, "Last 7 days"],
  [30, "Last 30 days"],
  [90, "Last 90 days"],
];

export function ListFilters(props: { kind: ListKind; filter: ListFilter; onChange: (f: ListFilter) => void }) {
  const { settings } = useApp();
  const f = props.filter;
  const set = (patch: Partial<ListFilter>) => props.onChange({ ...f, ...patch });
  const pipeline = settings?.pipelines[0];
  return (
    <div class="filters" role="group" aria-label="Filters">
      <label>
        <span>Owner</span>
        <select value={f.owner ?? ""} onChange={(e) => set({ owner: e.currentTarget.value || null })}>
          <option value="">Anyone</option>
          {settings?.owners.map((o) => (
            <option value={o.id} key={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      {props.kind === "contact" && (
        <label>
          <span>Lifecycle stage</span>
          <select value={f.lifecycleStage ?? ""} onChange={(e) => set({ lifecycleStage: e.currentTarget.value || null })}>
            <option value="">Any</option>
            {LIFECYCLE.map(([id, name]) => (
              <option value={id} key={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
      )}
      {props.kind === "deal" && pipeline && (
        <label>
          <span>Stage</span>
          <select value={f.stage ?? ""} onChange={(e) => set({ pipeline: e.currentTarget.value ? pipeline.id : null, stage: e.currentTarget.value || null })}>
            <option value="">Any</option>
            {pipeline.stages.map((s) => (
              <option value={s.id} key={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        <span>Last activity</span>
        <select
          value={f.activeWithinDays ? String(f.activeWithinDays) : ""}
          onChange={(e) => set({ activeWithinDays: e.currentTarget.value ? Number(e.currentTarget.value) : null })}
        >
          <option value="">Any time</option>
          {ACTIVITY.map(([days, label]) => (
            <option value={String(days)} key={days}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
