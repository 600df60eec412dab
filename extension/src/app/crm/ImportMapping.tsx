// The column-mapping screen: each column of the file, a sample of its
// values, and where it goes (the core's suggestion first: HubSpot's column
// names arrive mapped). Columns set to "Don't import" are left out.
import { useState } from "preact/hooks";
import type { CsvField, CsvPreview } from "./types.js";

/** What a column fills (the core's CsvField: a field's name, or a custom property `{custom: name}`), or null. */
export type Target = CsvField | null;

/** Inlay's contact fields a column can fill (the core's names). */
const TARGETS: [Exclude<CsvField, { custom: string }>, string][] = [
  ["firstName", "First name"],
  ["lastName", "Last name"],
  ["email", "Email"],
  ["additionalEmails", "More email addresses"],
  ["phone", "Phone"],
  ["jobTitle", "Job title"],
  ["companyName", "Company name"],
  ["companyDomain", "Company domain"],
  ["lifecycleStage", "Lifecycle stage"],
  ["leadStatus", "Lead status"],
  ["owner", "Contact owner"],
];

const key = (t: Target) => (t === null ? "" : JSON.stringify(t));

export function ImportMapping(props: {
  file: string;
  preview: CsvPreview;
  /** One entry per column, in the file's order (the core's mapping). */
  onRun: (mapping: Target[]) => void;
  onCancel: () => void;
}) {
  const p = props.preview;
  // The core suggests one entry per column (a list; older answers keyed it by column name).
  const [mapping, setMapping] = useState<Target[]>(() => p.columns.map((_, i) => p.suggestedMapping[i] ?? null));
  const set = (i: number, t: Target) => setMapping(mapping.map((m, j) => (j === i ? t : m)));
  const mapped = mapping.filter(Boolean).length;

  return (
    <div class="mapping">
      <p>
        <strong>{props.file}</strong>: {p.rowCount.toLocaleString()} {p.rowCount === 1 ? "row" : "rows"}, {p.columns.length} columns.
        Check where each column goes.
      </p>
      <table class="mapping-table">
        <caption class="sr-only">Columns of {props.file}</caption>
        <thead>
          <tr>
            <th scope="col">Column in the file</th>
            <th scope="col">Example</th>
            <th scope="col">Imports as</th>
          </tr>
        </thead>
        <tbody>
          {p.columns.map((col, i) => (
            <tr key={`${i}:${col}`}>
              <th scope="row">{col}</th>
              <td class="muted sample">{p.sampleRows.map((r) => r[i]).filter(Boolean).slice(0, 2).join(", ") || "—"}</td>
              <td>
                <select
                  aria-label={`Import column “${col}” as`}
                  value={key(mapping[i] ?? null)}
                  onChange={(e) => set(i, e.currentTarget.value ? (JSON.parse(e.currentTarget.value) as Target) : null)}
                >
                  <option value="">Don't import</option>
                  {TARGETS.map(([t, label]) => (
                    <option value={key(t)} key={t}>
                      {label}
                    </option>
                  ))}
                  <option value={key({ custom: col })}>Custom property “{col}”</option>
                  {/* The core's suggestion, if it is one this list lacks. */}
                  {mapping[i] && ![...TARGETS.map(([t]) => key(t)), key({ custom: col })].includes(key(mapping[i] ?? null)) && (
                    <option value={key(mapping[i] ?? null)}>{JSON.stringify(mapping[i])}</option>
                  )}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        <button onClick={() => props.onRun(mapping)} disabled={mapped === 0}>
          Import {p.rowCount.toLocaleString()} {p.rowCount === 1 ? "row" : "rows"}
        </button>
        <button class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
