// A sent email on its recipients' timelines (core crm::sent_email): the send
// feature hands it over once the outbox says `sent`. One transaction, two
// reads the core names (the recipients' contacts and the entry its
// Message-ID gives; then those contacts' companies and deals), the core's
// decision, the writes. The entry's id comes from the Message-ID, so logging
// the same email again (a worker restarted before it marked the row logged)
// writes nothing.
import type { IDBPDatabase } from "idb";
import type { CrmCore, CrmFound, CrmSettings } from "../core/types.js";
import type { CrmOutcome } from "../core/generated/CrmOutcome.js";
import type { SentEmail } from "../core/generated/SentEmail.js";
import { commit, readFound, type Tx } from "./save.js";
import { RECORD_STORES } from "./schema.js";

/** `first` with what `more` adds (records once each by id). */
function merged(first: CrmFound, more: CrmFound): CrmFound {
  const ids = new Set(first.records.map((r) => r.id));
  return {
    ...first,
    records: [...first.records, ...more.records.filter((r) => !ids.has(r.id))],
    timeline: [...first.timeline, ...more.timeline],
  };
}

/** Logs `email`; answers the core's outcome (its `message` says what was logged, or why nothing was). */
export async function logSent(
  db: IDBPDatabase<unknown>,
  core: Pick<CrmCore, "crmSentEmailLookups" | "crmLogSentEmail">,
  email: SentEmail,
  settings: CrmSettings,
  nowMs: number,
  random: Uint8Array,
): Promise<CrmOutcome> {
  const tx = db.transaction([...RECORD_STORES], "readwrite") as unknown as Tx;
  const first = await readFound(tx, core.crmSentEmailLookups(email, settings, null));
  const more = await readFound(tx, core.crmSentEmailLookups(email, settings, first));
  const writes = await commit(tx, () => core.crmLogSentEmail(email, merged(first, more), settings, nowMs, random));
  return writes.result as CrmOutcome;
}
