// Import a CSV (HubSpot's export or any spreadsheet) and export to CSV. The
// file goes to the worker in chunks, the core reads it and suggests how its
// columns map (HubSpot's names map by themselves), the user checks the
// mapping, and the run imports the good rows in one go and lists the bad
// ones with their line and reason. Every refusal is the core's sentence.
import { useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { ImportMapping } from "./ImportMapping.js";
import { ImportResultView } from "./ImportResultView.js";
import type { CsvField, CsvPreview, ImportResult } from "./types.js";

/** UTF-16 units per message: at most 3 bytes of UTF-8 each, so a chunk stays under the worker's 512 KiB. */
const CHUNK = 160 * 1024;

type Step =
  | { name: "choose" }
  | { name: "reading"; file: string; sent: number; total: number }
  | { name: "mapping"; file: string; importId: string; preview: CsvPreview }
  | { name: "running"; file: string; rows: number }
  | { name: "done"; file: string; result: ImportResult };

export function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + CHUNK);
    // Never split a surrogate pair across two messages.
    if (end < text.length && /[\ud800-\udbff]/.test(text[end - 1]!)) end--;
    out.push(text.slice(i, end));
    i = end;
  }
  return out.length ? out : [""];
}

export function ImportExport() {
  const app = useApp();
  const [step, setStep] = useState<Step>({ name: "choose" });
  const [error, setError] = useState<string | null>(null);

  async function upload(file: File) {
    setError(null);
    let importId: string | null = null;
    try {
      const parts = chunks(await file.text());
      setStep({ name: "reading", file: file.name, sent: 0, total: parts.length });
      for (const [index, text] of parts.entries()) {
        importId = (await crm.importChunk(importId, index, text)).importId;
        setStep({ name: "reading", file: file.name, sent: index + 1, total: parts.length });
      }
      const preview = await crm.importPreview(importId!);
      setStep({ name: "mapping", file: file.name, importId: importId!, preview });
    } catch (e) {
      if (importId) void crm.importDiscard(importId).catch(() => {});
      setError(errorText(e));
      setStep({ name: "choose" });
    }
  }

  async function run(importId: string, mapping: (CsvField | null)[], file: string, rows: number) {
    setError(null);
    setStep({ name: "running", file, rows });
    try {
      const result = await crm.importRun(importId, mapping);
      app.changed();
      setStep({ name: "done", file, result });
      app.announce(`Imported ${result.imported} rows; ${result.skipped.length} skipped.`);
    } catch (e) {
      setError(errorText(e));
      const preview = await crm.importPreview(importId).catch(() => null);
      setStep(preview ? { name: "mapping", file, importId, preview } : { name: "choose" });
    }
  }

  return (
    <section class="import-screen">
      <div class="screen-head">
        <div>
          <h1 tabIndex={-1}>Import and export</h1>
          <p class="count">Bring contacts over from HubSpot or a spreadsheet, or take them with you.</p>
        </div>
      </div>
      {error !== null && (
        <p class="error banner" role="alert">
          {error}
        </p>
      )}
      <section class="panel" aria-labelledby="import-heading">
        <h2 id="import-heading">Import a CSV file</h2>
        {step.name === "choose" && (
          <div class="dropzone">
            <p>
              Choose a CSV file. A HubSpot export (First Name, Last Name, Email, Company Name, …) is matched column by
              column; with any other file you choose which column goes where.
            </p>
            <label class="button" for="csv-file">
              Choose a CSV file
            </label>
            <input
              id="csv-file"
              class="visually-hidden-file"
              type="file"
              accept=".csv,text/csv"
              aria-label="CSV file to import"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0];
                e.currentTarget.value = "";
                if (f) void upload(f);
              }}
            />
          </div>
        )}
        {step.name === "reading" && (
          <p class="progress" role="status">
            Reading {step.file}… ({step.sent} of {step.total})
          </p>
        )}
        {step.name === "mapping" && (
          <ImportMapping
            file={step.file}
            preview={step.preview}
            onRun={(mapping) => void run(step.importId, mapping, step.file, step.preview.rowCount)}
            onCancel={() => {
              void crm.importDiscard(step.importId).catch(() => {});
              setStep({ name: "choose" });
            }}
          />
        )}
        {step.name === "running" && (
          <p class="progress" role="status">
            Importing {step.rows.toLocaleString()} rows from {step.file}…
          </p>
        )}
        {step.name === "done" && <ImportResultView file={step.file} result={step.result} onAgain={() => setStep({ name: "choose" })} />}
      </section>
      <Export />
    </section>
  );
}

function Export() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  async function download(kind: "contacts" | "companies" | "deals") {
    setBusy(kind);
    setError(null);
    try {
      const { filename, text } = await crm.export(kind);
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      const a = Object.assign(document.createElement("a"), { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }
  return (
    <section class="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Export to CSV</h2>
      <p>The file uses HubSpot's column names, so it imports back into Inlay or into HubSpot as it is.</p>
      <div class="actions">
        {(["contacts", "companies", "deals"] as const).map((k) => (
          <button class="secondary" key={k} disabled={busy !== null} onClick={() => void download(k)}>
            {busy === k ? "Exporting…" : `Export ${k}`}
          </button>
        ))}
      </div>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
