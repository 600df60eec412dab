// The crm module's functions with their values: what crosses the binding
// is JSON text (core/wasm/src/crm.rs reads each argument with serde_json
// once), so this only stringifies on the way in and parses on the way out.
// Refusals are thrown by the binding as `{code, message}` and pass through.
import type { CrmBinding, CrmCore } from "../core/types.js";

const text = JSON.stringify;
const value = <T>(json: string): T => JSON.parse(json) as T;

/** A binding function this build of the crm module may not have yet. */
function need<F>(f: F | undefined, name: string): F {
  if (!f) throw { code: "coreOutdated", message: `Inlay's CRM module lacks ${name}: this build is incomplete. Please report this to Inlay's support.` };
  return f;
}

/** `binding` as the CRM's shell calls it. */
export function crmCore(binding: CrmBinding): CrmCore {
  const b = binding;
  return {
    crmLookups: (command) => value(b.crmLookups(text(command))),
    crmApply: (command, found, settings, nowMs, random) => value(b.crmApply(text(command), text(found), text(settings), nowMs, random)),
    crmQueryKeys: (query) => value(b.crmQueryKeys(query)),
    crmRank: (query, candidates, limit) => value(b.crmRank(query, text(candidates), limit)),
    crmTimeline: (entries) => value(b.crmTimeline(text(entries))),
    crmMatches: (filter, records, settings, nowMs) => value(b.crmMatches(text(filter), text(records), text(settings), nowMs)),
    crmSumAmounts: (amounts) => b.crmSumAmounts(text(amounts)),
    crmReadSettings: (saved, policy) => value(b.crmReadSettings(saved === null ? null : text(saved), text(policy ?? {}))),
    crmValidateSettings: (settings) => value(b.crmValidateSettings(text(settings))),
    crmCsvPreview: (csv) => value(need(b.crmCsvPreview, "crmCsvPreview")(csv)),
    crmCsvImport: (csv, mapping, existing, settings, nowMs, random) =>
      value(need(b.crmCsvImport, "crmCsvImport")(csv, text(mapping), text(existing), text(settings), nowMs, random)),
    crmCsvExport: (kind, records, settings, nowMs) => value(need(b.crmCsvExport, "crmCsvExport")(kind, text(records), text(settings), nowMs)),
    crmTrashCutoff: (nowMs) => need(b.crmTrashCutoff, "crmTrashCutoff")(nowMs),
    crmImportCutoff: (nowMs) => need(b.crmImportCutoff, "crmImportCutoff")(nowMs),
    crmNotFound: (record) => value(need(b.crmNotFound, "crmNotFound")(record)),
    crmNewImportId: (random) => need(b.crmNewImportId, "crmNewImportId")(random),
    crmImportNotFound: (importId) => value(need(b.crmImportNotFound, "crmImportNotFound")(importId)),
  };
}
