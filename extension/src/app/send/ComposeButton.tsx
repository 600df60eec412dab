// "Compose" on a contact's or a deal's page: opens the dialog with To and
// the template tokens from the record, and says how it ended.
import { useApp } from "../crm/context.js";
import { openCompose } from "./Compose.js";
import { endToast } from "./endToast.js";

export function ComposeButton(props: { record: string }) {
  const app = useApp();
  return (
    <button
      class="secondary"
      onClick={async () => {
        const end = await openCompose({ record: props.record });
        const toast = endToast(end);
        if (toast) app.toast(toast);
        if (end.kind !== "closed") app.changed();
      }}
    >
      Compose
    </button>
  );
}
