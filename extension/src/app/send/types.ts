// What the worker answers to sending's page requests (background/send/
// handlers.ts assembles them); the requests themselves are the core's
// generated PageRequest.
import type { OutboxState, OutboxView } from "../../background/send/binding.js";
import type { ConnectionKind } from "../../background/core/generated/ConnectionKind.js";
import type { SendDraft } from "../../background/core/generated/SendDraft.js";
import type { ReplyDraft } from "../../background/core/generated/ReplyDraft.js";
import type { SendRecipient } from "../../background/core/generated/SendRecipient.js";
import type { SendAttachmentRef } from "../../background/core/generated/SendAttachmentRef.js";
import type { SendLateRule } from "../../background/core/generated/SendLateRule.js";
import type { SendSignature } from "../../background/core/generated/SendSignature.js";

export type { OutboxState, OutboxView, ReplyDraft, SendDraft, SendRecipient, SendAttachmentRef, SendLateRule, SendSignature };

/** A connected inbox that may send, with its verified aliases. */
export interface Sender {
  inbox: string;
  kind: ConnectionKind;
  name: string | null;
  aliases: string[];
  state: "connected" | "needsReauthentication";
  signature: string | null;
  /** Microsoft and Exchange deliver a scheduled email themselves, browser closed or not. */
  canDeferDelivery: boolean;
}

export interface Template {
  id: string;
  name: string;
  subject: string;
  html: string;
  updatedAt: number;
}

/** `sendCompose`: what the dialog offers. */
export interface ComposeInfo {
  senders: Sender[];
  to: SendRecipient[];
  tokens: Record<string, string>;
  tokenNames: string[];
  templates: Template[];
  /** Asked for a reply: what the core read of the answered email (send::reply). */
  reply: ReplyDraft | null;
}

export type DraftRow = SendDraft & { id: string; createdAt: number; updatedAt: number };

/** One email in the outbox list. */
export interface OutboxItem {
  id: string;
  view: OutboxView;
  summary: { from: string; to: string[]; subject: string; messageId: string };
  dueAt: { atMs: number; reason: string } | null;
  running: boolean;
  record: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface SendSettings {
  late: SendLateRule;
  signatures: SendSignature[];
}
