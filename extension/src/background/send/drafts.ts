// Drafts (what the user composed, kept until sent or deleted), their staged
// attachments (bytes in chunks, keyed [attachmentId, index]) and templates.
// The worker keeps them as given; what they mean is compose's, in the core.
import type { IDBPDatabase } from "idb";
import type { SendDraft } from "../core/generated/SendDraft.js";
import type { SendTemplate } from "../core/generated/SendTemplate.js";
import type { AttachmentChunk, DraftRow, TemplateRow } from "./schema.js";

type Db = IDBPDatabase<unknown>;

/** A new id of a kind (`dr`, `ob`, `at`, `tp`): 96 random bits, base64url. */
export function newId(kind: "dr" | "ob" | "at" | "tp", random: Uint8Array): string {
  const bytes = random.subarray(0, 12);
  const b64 = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return `${kind}_${b64}`;
}

/** Saves a draft (a new one gets an id); returns it as stored. */
export async function saveDraft(db: Db, draft: SendDraft, nowMs: number, random: Uint8Array): Promise<DraftRow> {
  const id = draft.id ?? newId("dr", random);
  const old = (await db.get("drafts", id)) as DraftRow | undefined;
  const row: DraftRow = { ...draft, id, createdAt: old?.createdAt ?? nowMs, updatedAt: nowMs };
  await db.put("drafts", row);
  return row;
}

export async function getDraft(db: Db, id: string): Promise<DraftRow | undefined> {
  return (await db.get("drafts", id)) as DraftRow | undefined;
}

/** Every draft, the last edited first. */
export async function listDrafts(db: Db): Promise<DraftRow[]> {
  return ((await db.getAllFromIndex("drafts", "updatedAt")) as DraftRow[]).reverse();
}

/** Deletes a draft and the attachments only it names. */
export async function deleteDraft(db: Db, id: string): Promise<void> {
  const draft = await getDraft(db, id);
  const tx = db.transaction(["drafts", "attachments"], "readwrite");
  const deletes: Promise<unknown>[] = [tx.objectStore("drafts").delete(id)];
  for (const a of draft?.attachments ?? []) deletes.push(tx.objectStore("attachments").delete(chunksOf(a.id)));
  await Promise.all([...deletes, tx.done]);
}

/** Every chunk of one attachment. */
function chunksOf(attachmentId: string): IDBKeyRange {
  return IDBKeyRange.bound([attachmentId, 0], [attachmentId, Infinity]);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Stages one chunk of an attachment (base64 from the page); the first makes the id. */
export async function stageChunk(
  db: Db,
  chunk: { attachmentId?: string | null; index: number; data: string },
  nowMs: number,
  random: Uint8Array,
): Promise<{ attachmentId: string }> {
  const attachmentId = chunk.attachmentId ?? newId("at", random);
  const row: AttachmentChunk = { attachmentId, index: chunk.index, bytes: fromBase64(chunk.data), at: nowMs };
  await db.put("attachments", row);
  return { attachmentId };
}

/** An attachment's bytes, its chunks in order; undefined when nothing was staged under the id. */
export async function attachmentBytes(db: Db, attachmentId: string): Promise<Uint8Array | undefined> {
  const chunks = (await db.getAll("attachments", chunksOf(attachmentId))) as AttachmentChunk[];
  if (chunks.length === 0) return undefined;
  const size = chunks.reduce((n, c) => n + c.bytes.length, 0);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c.bytes, at);
    at += c.bytes.length;
  }
  return bytes;
}

/** Removes staged attachments older than `cutoffMs` that no draft names (left by a closed dialog). */
export async function purgeAttachments(db: Db, cutoffMs: number): Promise<void> {
  const named = new Set((await listDrafts(db)).flatMap((d) => d.attachments.map((a) => a.id)));
  const tx = db.transaction("attachments", "readwrite");
  let cursor = await tx.store.index("at").openCursor(IDBKeyRange.upperBound(cutoffMs));
  while (cursor) {
    if (!named.has((cursor.value as AttachmentChunk).attachmentId)) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}

export async function listTemplates(db: Db): Promise<TemplateRow[]> {
  return ((await db.getAll("templates")) as TemplateRow[]).sort((a, b) => a.name.localeCompare(b.name));
}

export async function saveTemplate(db: Db, t: SendTemplate, nowMs: number, random: Uint8Array): Promise<TemplateRow> {
  const row: TemplateRow = { id: t.id ?? newId("tp", random), name: t.name, subject: t.subject, html: t.html, updatedAt: nowMs };
  await db.put("templates", row);
  return row;
}

export async function deleteTemplate(db: Db, id: string): Promise<void> {
  await db.delete("templates", id);
}
