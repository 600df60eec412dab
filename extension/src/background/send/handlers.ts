// One handler per sending page request (validated by the core's schema,
// core/src/rpc/send.rs), the outbox alarm's run and the catch-up at start.
// Compose (templates, sanitising, limits, MIME) and the outbox's states are
// the core's; this file reads and writes the stores and starts drives.
import type { Account } from "../../shared/inboxes.js";
import { InlayError } from "../../shared/messages.js";
import type { SendDraft } from "../core/generated/SendDraft.js";
import type { TimelineEntry } from "../core/generated/TimelineEntry.js";
import { withoutIndexKeys } from "../crm/schema.js";
import type { SendLateRule } from "../core/generated/SendLateRule.js";
import type { SendSignature } from "../core/generated/SendSignature.js";
import type { SendTemplate } from "../core/generated/SendTemplate.js";
import { featuresOf } from "../connect/features.js";
import type { WorkerCore } from "../core/types.js";
import { momentBytes, randomBytes } from "../io/random.js";
import { loadSettings } from "../state/settings.js";
import * as accounts from "../state/store.js";
import { guard, rearm } from "./alarms.js";
import type { OutboxView, SendTarget } from "./binding.js";
import { composeCore, sendCore } from "./core.js";
import * as drafts from "./drafts.js";
import { recordContext, senderTokens, TOKEN_NAMES, type TokenContext } from "./record.js";
import { isRunning, runDue, runEntry, type RunnerDeps } from "./runner.js";
import type { OutboxRow, SendSettingsRow } from "./schema.js";
import { answerSecret } from "./secrets.js";
import * as store from "./store.js";

const db = () => accounts.sendDatabase();

/** Staged attachments no draft names are dropped after a day. */
const ATTACHMENT_TTL_MS = 24 * 3600_000;

const EMPTY_TOKENS: TokenContext = { contact: {}, company: {}, deal: {}, sender: {} };

const DEFAULT_SETTINGS: SendSettingsRow = { id: "settings", late: "holdForReview", signatures: [] };

async function settings(): Promise<SendSettingsRow> {
  return ((await (await db()).get("sendSettings", "settings")) as SendSettingsRow | undefined) ?? DEFAULT_SETTINGS;
}

/** Tells open pages the outbox changed (they read it again). */
function outboxChanged(): void {
  chrome.runtime.sendMessage({ event: "outboxChanged" }).catch(() => undefined); // no page open
}

/** Tells open pages a draft was saved, deleted or sent (a Drafts list in another tab reads again). */
function draftsChanged(): void {
  chrome.runtime.sendMessage({ event: "draftsChanged" }).catch(() => undefined); // no page open
}

/** Characters of the text body kept for the CRM's timeline. */
const SNIPPET_CHARS = 300;

/** A sent email as the CRM logs it (core `crm::sent_email::SentEmail`). */
export interface SentEmailRecord {
  messageId: string;
  inbox: string;
  from: string;
  to: { address: string; name?: string }[];
  cc: { address: string; name?: string }[];
  bcc: { address: string; name?: string }[];
  subject: string;
  snippet: string;
  sentAt: number;
  providerThreadId: string | null;
  outboxId: string;
  /** The email's References (a reply's thread), so a reply to it continues the chain. */
  references: string[];
}

/** What the CRM is told of a sent row. */
export function sentEmailOf(row: OutboxRow): SentEmailRecord {
  const people = (list: { address: string; name?: string | null }[]) => list.map((r) => (r.name ? { address: r.address, name: r.name } : { address: r.address }));
  const state = row.view.state;
  return {
    messageId: row.summary.messageId,
    inbox: row.inbox,
    from: row.summary.from,
    to: people(row.draft.to),
    cc: people(row.draft.cc),
    bcc: people(row.draft.bcc),
    subject: row.summary.subject,
    snippet: row.summary.snippet ?? "",
    sentAt: state.kind === "sent" ? state.atMs : row.updatedAt,
    providerThreadId: state.kind === "sent" ? state.threadId : null,
    outboxId: row.id,
    references: referencesOf(row.draft),
  };
}

/** A draft's References: as the reply gave them, else the answered email's id. */
function referencesOf(draft: SendDraft): string[] {
  if (draft.references?.length) return draft.references;
  return draft.inReplyTo ? [draft.inReplyTo] : [];
}

/** Set by the CRM's wiring: logs a sent email on its recipients' timelines (background/crm's logSentEmail). */
let logSent: ((email: SentEmailRecord) => Promise<unknown>) | undefined;
export function onSent(log: (email: SentEmailRecord) => Promise<unknown>): void {
  logSent = log;
}

function deps(core: WorkerCore): RunnerDeps {
  return {
    db,
    core: sendCore,
    secret: (inbox, rejected) => answerSecret(core, inbox, rejected),
    now: Date.now,
    random: momentBytes,
    latePolicy: async () => (await settings()).late,
    guard: (nowMs) => guard(nowMs),
    lookupGraceMs: async () => (await loadSettings().catch(() => null))?.outbox?.lookupGraceMs,
    settled: async (row) => {
      await logOnce(row).catch(() => undefined); // tried again on the next run
      outboxChanged();
    },
  };
}

/** Logs a sent email to the CRM once; the row remembers it was logged. */
async function logOnce(row: OutboxRow): Promise<void> {
  if (row.view.state.kind !== "sent" || row.logged || !logSent) return;
  await logSent(sentEmailOf(row));
  await store.commit(await db(), row.id, row.json, row.view, Date.now(), { logged: true });
}

/** Runs what is due, then sets the alarm for what comes next. Never throws (alarms and starts call it). */
export async function runOutbox(core: WorkerCore): Promise<void> {
  try {
    await runDue(deps(core));
    // A sent email whose logging failed (or a worker stopped before it) is logged now.
    for (const row of await store.listEntries(await db())) await logOnce(row).catch(() => undefined);
  } finally {
    await rearm(await db()).catch(() => undefined);
  }
}

let kicked: Promise<void> | undefined;

/** Starts the due entries without making the page wait for them; one such run at a time (the Outbox screen asks often). */
function kick(core: WorkerCore): void {
  kicked ??= runOutbox(core)
    .catch(() => undefined)
    .finally(() => (kicked = undefined));
}

/**
 * Puts a new or changed email before the core at once, whatever its wake
 * time: whether it goes now is the core's due check (a provider that defers
 * delivery takes a scheduled email right away; others get their time as the
 * wake key). Then what else is due.
 */
function begin(core: WorkerCore, id: string): void {
  void runEntry(deps(core), id)
    .catch(() => undefined)
    .then(() => runOutbox(core));
}

/** The inboxes that may send, each with its verified aliases. */
function senders(list: Account[]) {
  return list.flatMap((a) =>
    a.state.kind === "connected" || a.state.kind === "needsReauthentication"
      ? [{ inbox: a.address, kind: a.connect, name: a.displayName, aliases: a.state.aliases, state: a.state.kind }]
      : [],
  );
}

/** The inbox as the outbox keeps it (core `send::SendTarget`): its kind and what its send and lookup need. */
async function targetOf(account: Account): Promise<SendTarget> {
  const server = account.server;
  switch (account.connect) {
    case "google":
    case "microsoft": {
      // The token state's scopes (what the sign-in was granted) decide how Sent can be searched.
      const tokens = (await accounts.getSecrets(account.address))?.tokens as { scopes?: string[] } | undefined;
      return { kind: account.connect, grantedScopes: tokens?.scopes ?? [] };
    }
    case "exchange":
      if (server?.kind !== "exchange") break;
      return { kind: "exchange", ewsUrl: server.ewsUrl };
    case "imap":
      if (server?.kind !== "imap") break;
      return { kind: "imap", settings: server.settings, pinnedCertificates: server.pinnedCertificates, appendToSent: server.appendToSent };
  }
  throw new InlayError("inboxIncomplete", `Inlay is missing the server settings of ${account.address}: connect it again in Settings › Email.`);
}

/**
 * Whether the provider holds a scheduled email until its time, even with the browser closed: the
 * core's rule (connect::inbox_features, the same line the inbox list shows).
 */
async function defersDelivery(core: WorkerCore, account: Account): Promise<boolean> {
  return (await featuresOf(core, account).catch(() => null))?.deliversWhileClosed ?? false;
}

/** The inbox `from` is (or is an alias of); compose checks the alias itself. */
function inboxOf(list: Account[], from: string) {
  const wanted = from.trim().toLowerCase();
  return senders(list).find((s) => s.inbox.toLowerCase() === wanted || s.aliases.some((a) => a.toLowerCase() === wanted));
}

/** The compose dialog's start for a reply to `entry`, from the addresses its inbox may send as now. */
async function replyTo(list: Account[], entry: TimelineEntry) {
  const inbox = typeof entry.data.inbox === "string" ? entry.data.inbox.toLowerCase() : "";
  const sender = senders(list).find((x) => x.inbox.toLowerCase() === inbox);
  const reply = (await composeCore()).replyOf(entry, sender ? [sender.inbox, ...sender.aliases] : []);
  if (!reply) throw new InlayError("noMessageId", "This email has no Message-ID, so a reply could not stay in its thread: compose a new email instead.");
  return reply;
}

/** What the lists show of an email: the stored view and summary, and whether a drive is on it now. */
function forPage(row: OutboxRow) {
  return {
    id: row.id,
    view: row.view,
    summary: row.summary,
    /** A later time the core gave it (a rate limit's slot), and why. */
    dueAt: row.dueAt ?? null,
    running: isRunning(row.id),
    record: row.draft.record ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type OutboxItem = ReturnType<typeof forPage>;

async function entry(id: string): Promise<OutboxRow> {
  const row = await store.getEntry(await db(), id);
  if (!row) throw new InlayError("notFound", "This email is no longer in the outbox.");
  return row;
}

/** Applies one of the core's pure changes to an entry (cancel, reschedule, the user's choice) in one transaction. */
async function change(id: string, apply: (json: string) => string, patch: Partial<OutboxRow> = {}): Promise<OutboxRow> {
  const row = await entry(id);
  if (isRunning(id)) throw new InlayError("busy", "This email is being sent right now; look again in a moment.");
  const core = await sendCore();
  const json = apply(row.json);
  const view: OutboxView = core.outboxView(json);
  const saved = await store.commit(await db(), id, json, view, Date.now(), patch);
  outboxChanged();
  return saved;
}

export function sendHandlers(core: WorkerCore) {
  return {
    sendCompose: async (r: { record?: string | null; reply?: string | null }) => {
      const [list, context, templates, s, answered] = await Promise.all([
        accounts.listAccounts(),
        r.record ? recordContext(await db(), r.record) : Promise.resolve({ to: [], tokens: EMPTY_TOKENS }),
        drafts.listTemplates(await db()),
        settings(),
        r.reply ? (await db()).get("timeline", r.reply) : Promise.resolve(undefined),
      ]);
      if (r.reply && !answered) throw new InlayError("notFound", "This email is no longer on the timeline (it was deleted): reload the page.");
      const signature = (inbox: string) => s.signatures.find((x) => x.inbox.toLowerCase() === inbox.toLowerCase())?.html ?? null;
      return {
        senders: await Promise.all(
          senders(list).map(async (x) => ({ ...x, signature: signature(x.inbox), canDeferDelivery: await defersDelivery(core, list.find((a) => a.address === x.inbox)!) })),
        ),
        to: context.to,
        // The picker shows each token's value here ("contact.firstName": "Ann").
        tokens: Object.fromEntries(
          (Object.entries(context.tokens) as [string, Record<string, string>][]).flatMap(([kind, fields]) => Object.entries(fields).map(([f, v]) => [`${kind}.${f}`, v])),
        ),
        tokenNames: TOKEN_NAMES,
        templates,
        // To, From, "Re:" subject and the thread's ids are the core's reading of the entry (send::reply).
        reply: answered ? await replyTo(list, withoutIndexKeys<TimelineEntry>(answered as { id: string })) : null,
      };
    },

    // Stored HTML is the core's sanitised HTML, so a draft opened again puts nothing foreign in the editor.
    sendSaveDraft: async (r: { draft: SendDraft }) => {
      const compose = await composeCore();
      const saved = await drafts.saveDraft(await db(), { ...r.draft, html: compose.sanitizeHtml(r.draft.html) }, Date.now(), randomBytes(16));
      draftsChanged();
      return saved;
    },

    sendDraft: async (r: { id: string }) => {
      const draft = await drafts.getDraft(await db(), r.id);
      if (!draft) throw new InlayError("notFound", "This draft was deleted or has been sent.");
      return draft;
    },

    sendDrafts: async () => drafts.listDrafts(await db()),

    sendDeleteDraft: async (r: { id: string }) => {
      await drafts.deleteDraft(await db(), r.id);
      draftsChanged();
      return null;
    },

    sendAttachmentChunk: async (r: { attachmentId?: string | null; index: number; data: string }) => {
      const database = await db();
      if (r.index === 0) await drafts.purgeAttachments(database, Date.now() - ATTACHMENT_TTL_MS);
      return drafts.stageChunk(database, r, Date.now(), randomBytes(16));
    },

    sendSubmit: async (r: { draft: SendDraft; at?: number | null }) => {
      const database = await db();
      const [send, compose] = await Promise.all([sendCore(), composeCore()]);
      const list = await accounts.listAccounts();
      const from = inboxOf(list, r.draft.from);
      if (!from) {
        throw new InlayError("fromNotConnected", `${r.draft.from} is not a connected inbox or one of its verified addresses: choose another From.`);
      }
      const s = await settings();
      const context = r.draft.record ? await recordContext(database, r.draft.record) : { to: [], tokens: EMPTY_TOKENS };
      const attachments = await Promise.all(
        r.draft.attachments.map(async (a) => {
          const bytes = await drafts.attachmentBytes(database, a.id);
          if (!bytes) throw new InlayError("attachmentMissing", `The attachment ${a.name} is no longer staged: remove it and attach the file again.`);
          return { name: a.name, contentType: a.contentType, bytes };
        }),
      );
      const now = Date.now();
      const signature = r.draft.signature ? (s.signatures.find((x) => x.inbox.toLowerCase() === from.inbox.toLowerCase())?.html ?? null) : null;
      // Compose refuses in words (a token with no value, a header injection, a limit): thrown as {code, message}.
      const mailbox = (x: { address: string; name?: string | null }) => ({ address: x.address, name: x.name || null });
      const composed = compose.compose(
        {
          from: { address: r.draft.from, name: from.name },
          allowedFrom: [from.inbox, ...from.aliases],
          to: r.draft.to.map(mailbox),
          cc: r.draft.cc.map(mailbox),
          bcc: r.draft.bcc.map(mailbox),
          subject: r.draft.subject,
          html: r.draft.html,
          signatureHtml: signature,
          attachments: attachments.map((a) => ({ filename: a.name, contentType: a.contentType, bytes: a.bytes })),
          inlineImages: [],
          inReplyTo: r.draft.inReplyTo ?? null,
          references: referencesOf(r.draft),
          threadId: r.draft.threadId ?? null,
          inboxKind: from.kind,
          smtpMaxSize: null,
          tokens: { ...context.tokens, sender: senderTokens(from.name, r.draft.from) },
        },
        now,
        randomBytes(64),
      );
      const id = drafts.newId("ob", randomBytes(12));
      const account = list.find((a) => a.address === from.inbox)!;
      const json = send.outboxCreate({
        id,
        target: await targetOf(account),
        messageId: composed.messageId,
        envelopeFrom: composed.envelopeFrom,
        recipients: composed.recipients,
        threadId: r.draft.threadId ?? null,
        subject: composed.subject,
        scheduledAtMs: r.at ?? null,
        createdAtMs: now,
      });
      const draftId = r.draft.id ?? drafts.newId("dr", randomBytes(12));
      const row: OutboxRow = {
        id,
        json,
        view: send.outboxView(json),
        draft: { ...r.draft, id: draftId, html: compose.sanitizeHtml(r.draft.html) },
        inbox: from.inbox,
        summary: {
          from: r.draft.from,
          to: [...r.draft.to, ...r.draft.cc].map((x) => x.address),
          subject: composed.subject,
          messageId: composed.messageId,
          snippet: composed.text.slice(0, SNIPPET_CHARS),
        },
        createdAt: now,
        updatedAt: now,
      };
      await store.addEntry(database, row, { id, mime: composed.mime, transmitted: composed.transmitted ?? null }, now, r.draft.id ?? undefined);
      outboxChanged();
      if (r.draft.id) draftsChanged();
      begin(core, id);
      return forPage(row);
    },

    sendOutbox: async () => {
      // Opening the outbox also picks up anything a stopped worker left.
      kick(core);
      return (await store.listEntries(await db())).map(forPage);
    },

    sendReschedule: async (r: { id: string; at: number }) => {
      const send = await sendCore();
      const row = forPage(await change(r.id, (json) => send.outboxReschedule(json, r.at), { dueAt: null }));
      begin(core, r.id);
      return row;
    },

    sendCancel: async (r: { id: string }) => {
      const send = await sendCore();
      let row = await change(r.id, (json) => send.outboxCancel(json, Date.now()));
      if (row.view.state.kind === "cancelling") {
        // Handed to Microsoft: the core's machine deletes it there, and only the provider's
        // confirmation cancels it (or says it already left). The page waits for the answer.
        row = (await runEntry(deps(core), r.id)) ?? row;
        outboxChanged();
        if (row.view.state.kind === "handedOver") {
          throw new InlayError("cancelFailed", "Microsoft didn't confirm the cancel, so the email still goes at its time. Try Cancel again.");
        }
      }
      if (row.view.state.kind === "cancelled") await store.dropBlob(await db(), r.id);
      return forPage(row);
    },

    sendEdit: async (r: { id: string }) => {
      // Taken off the schedule first: the draft is what the user edits, the entry is cancelled.
      // One Microsoft holds is cancelled there first (Cancel), never edited in place.
      if (["handedOver", "cancelling"].includes((await entry(r.id)).view.state.kind)) {
        throw new InlayError("handedOver", "Microsoft holds this email for its time: cancel it first, then write it again.");
      }
      const send = await sendCore();
      const row = await change(r.id, (json) => send.outboxCancel(json, Date.now()));
      if (row.view.state.kind !== "cancelled") throw new InlayError("tooLate", "This email has already left and can no longer be edited.");
      const database = await db();
      await store.dropBlob(database, r.id);
      const saved = await drafts.saveDraft(database, row.draft, Date.now(), randomBytes(16));
      draftsChanged();
      return saved;
    },

    sendResolve: async (r: { id: string; choice: "markSent" | "sendAgain" }) => {
      const send = await sendCore();
      const row = await change(r.id, (json) => (r.choice === "markSent" ? send.outboxMarkSent(json) : send.outboxSendAgain(json)));
      if (r.choice === "sendAgain") begin(core, r.id);
      else await deps(core).settled?.(row);
      return forPage(row);
    },

    sendSettings: async () => {
      const { late, signatures } = await settings();
      return { late, signatures };
    },

    sendSaveSettings: async (r: { late: SendLateRule; signatures: SendSignature[] }) => {
      const compose = await composeCore();
      const signatures = r.signatures.map((x) => ({ inbox: x.inbox, html: compose.sanitizeHtml(x.html) }));
      const row: SendSettingsRow = { id: "settings", late: r.late, signatures };
      await (await db()).put("sendSettings", row);
      return { late: row.late, signatures: row.signatures };
    },

    sendTemplates: async () => drafts.listTemplates(await db()),
    sendSaveTemplate: async (r: { template: SendTemplate }) => {
      const compose = await composeCore();
      return drafts.saveTemplate(await db(), { ...r.template, html: compose.sanitizeHtml(r.template.html) }, Date.now(), randomBytes(16));
    },
    sendDeleteTemplate: async (r: { id: string }) => {
      await drafts.deleteTemplate(await db(), r.id);
      return null;
    },
  };
}
