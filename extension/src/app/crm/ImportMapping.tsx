// The column-mapping screen: each column of the file, a sample of its
// values, and where it goes (the core's suggestion first: HubSpot's column
// names arrive mapped). Columns set to "Don't import" are left out.
import { useState } from "preact/hooks";
import type { CsvPreview } from "./types.js";

/** Inlay's contact and company fields a column can fill (the core's names). */
const TARGETS: [string, string][] = [
  ["firstName", "First name"],
  ["lastName", "Last name"],
  ["email", "Email"],
  ["phone", "Phone"],
  ["jobTitle", "Job title"],
  ["companyName", "Company name"],
  ["companyDomain", "Company domain"],
  ["lifecycleStage", "Lifecycle stage"],
  ["leadStatus", "Lead status"],
  ["owner", "Contact owner"],
];

function label(target: string): string {
  return TARGETS.find(([t]) => t === target)?.[1] ?? target;
}

export function ImportMapping(props: {
  file: string;
  preview: CsvPreview;
  onRun: (mapping: Record<string, string | null>) => void;
  onCancel: () => void;
}) {
  const p = props.preview;
  const [mapping, setMapping] = useState<Record<string, string | null>>(() => {
    const m: Record<string, string | null> = {};
    for (const c of p.columns) m[c] = p.suggestedMapping[c] ?? null;
    return m;
  });
  // The core's own targets, even ones this list lacks, stay choosable.
  const targets = [...TARGETS];
  for (const t of Object.values(p.suggestedMapping)) if (t && !targets.some(([x]) => x === t)) targets.push([t, t]);
  const mapped = Object.values(mapping).filter(Boolean).length;

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
            <tr key={col}>
              <th scope="row">{col}</th>
              <td class="muted sample">{p.sampleRows.map((r) => r[i]).filter(Boolean).slice(0, 2).join(", ") || "—"}</td>
              <td>
                <select
                  aria-label={`Import column “${col}” as`}
                  value={mapping[col] ?? ""}
                  onChange={(e) => setMapping({ ...mapping, [col]: e.currentTarget.value || null })}
                >
                  <option value="">Don't import</option>
                  {targets.map(([t]) => (
                    <option value={t} key={t}>
                      {label(t)}
                    </option>
                  ))}
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
