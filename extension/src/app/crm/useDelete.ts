// Deleting a record: ask first, then delete (the core moves it to the trash)
// and offer Undo in the toast for as long as it shows; Settings › Recently
// deleted keeps it for 30 days.
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { confirmDialog } from "./confirm.js";
import { useApp } from "./context.js";
import type { RecordRef } from "./types.js";

export function useDelete() {
  const app = useApp();
  /** Returns true when the record was deleted. */
  return async function remove(record: RecordRef, title: string): Promise<boolean> {
    const sure = await confirmDialog(
      `Delete “${title}”?`,
      "It moves to Settings › Recently deleted, where you can restore it for 30 days.",
      "Delete",
    );
    if (!sure) return false;
    try {
      const result = await crm.save({ op: "delete", record });
      app.changed();
      const trashId = result.trashId;
      app.toast({
        text: result.message || `Deleted “${title}”.`,
        ...(typeof trashId === "string"
          ? {
              action: {
                label: "Undo",
                run: async () => {
                  const undone = await crm.save({ op: "undoDelete", trashId });
                  app.changed();
                  app.announce(undone.message || `Restored “${title}”.`);
                },
              },
            }
          : {}),
      });
      return true;
    } catch (e) {
      app.toast({ text: errorText(e), error: true });
      return false;
    }
  };
}
