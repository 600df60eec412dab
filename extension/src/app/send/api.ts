// Sending's page requests (the worker's background/send/handlers.ts; the
// core validates each against core/src/rpc/send.rs). A refusal comes back
// as an InlayError carrying the core's or the worker's sentence.
import { call } from "../../shared/messages.js";
import type { ComposeInfo, DraftRow, OutboxItem, SendDraft, SendSettings, Template } from "./types.js";

/** Bytes of a file per staged chunk: 384 KiB is 512 KiB of base64, the schema's limit. */
export const CHUNK_BYTES = 384 * 1024;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export const send = {
  compose: (record: string | null, reply: string | null = null) => call<ComposeInfo>({ type: "sendCompose", record, reply }),
  saveDraft: (draft: SendDraft) => call<DraftRow>({ type: "sendSaveDraft", draft }),
  draft: (id: string) => call<DraftRow>({ type: "sendDraft", id }),
  drafts: () => call<DraftRow[]>({ type: "sendDrafts" }),
  deleteDraft: (id: string) => call<null>({ type: "sendDeleteDraft", id }),
  submit: (draft: SendDraft, at: number | null) => call<OutboxItem>({ type: "sendSubmit", draft, at }),
  outbox: () => call<OutboxItem[]>({ type: "sendOutbox" }),
  reschedule: (id: string, at: number) => call<OutboxItem>({ type: "sendReschedule", id, at }),
  cancel: (id: string) => call<OutboxItem>({ type: "sendCancel", id }),
  edit: (id: string) => call<DraftRow>({ type: "sendEdit", id }),
  resolve: (id: string, choice: "markSent" | "sendAgain") => call<OutboxItem>({ type: "sendResolve", id, choice }),
  settings: () => call<SendSettings>({ type: "sendSettings" }),
  saveSettings: (s: SendSettings) => call<SendSettings>({ type: "sendSaveSettings", late: s.late, signatures: s.signatures }),
  templates: () => call<Template[]>({ type: "sendTemplates" }),
  saveTemplate: (t: { id?: string | null; name: string; subject: string; html: string }) => call<Template>({ type: "sendSaveTemplate", template: t }),
  deleteTemplate: (id: string) => call<null>({ type: "sendDeleteTemplate", id }),

  /** Stages a file in chunks; returns its attachment id. */
  async attach(file: File): Promise<string> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let id: string | null = null;
    for (let index = 0, at = 0; at < bytes.length || index === 0; index++, at += CHUNK_BYTES) {
      const reply: { attachmentId: string } = await call<{ attachmentId: string }>({
        type: "sendAttachmentChunk",
        attachmentId: id,
        index,
        data: base64(bytes.subarray(at, at + CHUNK_BYTES)),
      });
      id = reply.attachmentId;
    }
    return id!;
  },
};

/** Calls `reload` whenever the worker says a draft was saved, deleted or sent (from any page or tab). */
export function onDraftsChanged(reload: () => void): () => void {
  const listener = (message: unknown) => {
    if ((message as { event?: string } | null)?.event === "draftsChanged") reload();
  };
  chrome.runtime.onMessage.addListener(listener);
  return () => chrome.runtime.onMessage.removeListener(listener);
}

/** Calls `reload` whenever the worker says the outbox changed (a send ended, a retry was planned). */
export function onOutboxChanged(reload: () => void): () => void {
  const listener = (message: unknown) => {
    if ((message as { event?: string } | null)?.event === "outboxChanged") reload();
  };
  chrome.runtime.onMessage.addListener(listener);
  return () => chrome.runtime.onMessage.removeListener(listener);
}
