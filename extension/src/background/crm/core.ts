// The crm module's functions with their values: what crosses the binding
// is JSON text (core/wasm/src/crm.rs reads each argument with serde_json
// once), so this only stringifies on the way in and parses on the way out.
// Refusals are thrown by the binding as `{code, message}` and pass through.
import type { CrmBinding, CrmCore } from "../core/types.js";

const text = JSON.stringify;
const value = <T>(json: string): T => JSON.parse(json) as T;

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
    crmCsvPreview: (csv) => value(b.crmCsvPreview(csv)),
    crmCsvImport: (csv, mapping, existing, settings, nowMs, random) =>
      value(b.crmCsvImport(csv, text(mapping), text(existing), text(settings), nowMs, random)),
    crmCsvExport: (kind, records, settings, nowMs) => value(b.crmCsvExport(kind, text(records), text(settings), nowMs)),
    crmTrashCutoff: (nowMs) => b.crmTrashCutoff(nowMs),
    crmImportCutoff: (nowMs) => b.crmImportCutoff(nowMs),
    crmNotFound: (record) => value(b.crmNotFound(record)),
    crmNewImportId: (random) => b.crmNewImportId(random),
    crmImportNotFound: (importId) => value(b.crmImportNotFound(importId)),
    crmSentEmailLookups: (email, settings, found) => value(b.crmSentEmailLookups(text(email), text(settings), found === null ? null : text(found))),
    crmLogSentEmail: (email, found, settings, nowMs, random) => value(b.crmLogSentEmail(text(email), text(found), text(settings), nowMs, random)),
  };
}
