// "Compose" on a contact's or a deal's page: opens the dialog with To and
// the template tokens from the record, and says how it ended.
import { useApp } from "../crm/context.js";
import { openCompose } from "./Compose.js";

export function ComposeButton(props: { record: string }) {
  const app = useApp();
  return (
    <button
      class="secondary"
      onClick={async () => {
        const end = await openCompose({ record: props.record });
        if (end.kind === "sent") app.toast({ text: "Sending your email: the Outbox shows how it goes." });
        if (end.kind === "scheduled") app.toast({ text: "Email scheduled: it is in the Outbox." });
        if (end.kind === "saved") app.toast({ text: "Draft saved: find it under Outbox › Drafts." });
        if (end.kind !== "closed") app.changed();
      }}
    >
      Compose
    </button>
  );
}
