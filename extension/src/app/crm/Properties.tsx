// A record's properties as a definition list, in the order people read them.
import { useApp } from "./context.js";
import { dateOnly, leadStatusName, lifecycleName, money, ownerName, stageOf, when } from "./format.js";
import type { AnyRecord, Company, Contact, Deal, ListKind } from "./types.js";

export function Properties(props: { kind: ListKind; record: AnyRecord }) {
  const { settings } = useApp();
  const rows: [string, string][] = [];
  if (props.kind === "contact") {
    const c = props.record as Contact;
    rows.push(
      ["Email", c.emails.join(", ") || "—"],
      ["Phone", c.phone || "—"],
      ["Job title", c.jobTitle || "—"],
      ["Lifecycle stage", lifecycleName(c.lifecycleStage)],
      ["Lead status", leadStatusName(c.leadStatus)],
      ["Owner", ownerName(settings, c.owner)],
      ...Object.entries(c.custom ?? {}),
    );
  } else if (props.kind === "company") {
    const co = props.record as Company;
    rows.push(["Domains", co.domains.join(", ") || "—"], ["Owner", ownerName(settings, co.owner)]);
  } else {
    const d = props.record as Deal;
    const pipeline = settings?.pipelines.find((p) => p.id === d.pipeline);
    rows.push(
      ["Amount", money(d.amount, d.currency, settings?.currency)],
      ["Stage", stageOf(settings, d.pipeline, d.stage)?.name ?? d.stage],
      ["Pipeline", pipeline?.name ?? d.pipeline],
      ["Close date", dateOnly(d.closeDate)],
      ["Owner", ownerName(settings, d.owner)],
    );
  }
  rows.push(["Created", when(props.record.createdAt)], ["Last activity", when((props.record as Contact).lastActivityAt ?? null)]);
  return (
    <dl class="props">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
