// TypeScript shapes of what the core's bindings take and return (the
// generated .d.ts types them as `any`). The Rust types are the source of
// truth: core/src/{connect,token,account_check,provider_error,detect,ews,mailconfig}.
// Only types: this file imports no worker module, so every module may import it.
import type {
  Account,
  ConnectionKind,
  ConnectionState,
  Detection,
  Disclosure,
  MailSettings,
  PasswordKind,
  PinnedCertificates,
} from "../../shared/inboxes.js";
import type { ExchangeDiscoverReply, FoundSettings } from "../../shared/messages.js";
import type { HttpRequest, HttpResponse, Outcome } from "../io/http.js";
import type { Input as MachineInput, Step as MachineStep } from "./drive.js";
import type { AccountEvent } from "./generated/AccountEvent.js";
import type { AccountRegistry } from "./generated/AccountRegistry.js";
import type { Attempt } from "./generated/Attempt.js";
import type { Caller } from "./generated/Caller.js";
import type { Request } from "./generated/Request.js";
import type { RpcError } from "./generated/RpcError.js";
import type { RevocationResult } from "./generated/RevocationResult.js";
import type { SentEmail } from "./generated/SentEmail.js";
import type { FeatureDisclosure } from "./generated/FeatureDisclosure.js";
import type { InboxFeatures } from "./generated/InboxFeatures.js";
import type { OptionalFeature } from "./generated/OptionalFeature.js";
import type { OptionalFeatures } from "./generated/OptionalFeatures.js";

export type { Outcome };

export interface OAuthClient {
  clientId: string;
  clientSecret: string | null;
}

/** Opaque to the shell: the core's token state, persisted as JSON. */
export type TokenState = { accessToken: string; expiresAtMs: number; disconnected?: boolean } & Record<string, unknown>;


/** The account a connect flow connected (core `connect::ConnectedAccount`). */
export type ConnectedAccount = import("./generated/ConnectedAccount.js").ConnectedAccount;

/** A failure as it crosses the binding: a stable code and the core's sentence (core `connect::FlowError`). */
export type CoreError = import("./generated/FlowError.js").FlowError;

/** What the worker refuses before any machine runs (core `connect::Refusal`); `refusal()` words it. */
export type Refusal = import("./generated/Refusal.js").Refusal;

/** Why the connect flow makes a request (core `connect::Purpose`). */
export type ConnectPurpose = import("./generated/ConnectPurpose.js").ConnectPurpose;

/** What a connect flow ends with (core `connect::Connected`). */
export interface Connected {
  account: ConnectedAccount;
  tokens: TokenState;
}

/** The connect machine's steps (core `connect::Step`, a `machine::Step`). */
export type Step = import("./generated/Step.js").Step<ConnectPurpose, never, Connected, CoreError>;

/** What happened to the last step (core `machine::Input`; the flow asks nothing). */
export type FlowInput = import("./generated/Input.js").Input<never>;

/** Every connect call's answer: the step and the inbox's state after it. */
export interface FlowResult {
  step: Step;
  accountState: ConnectionState;
}

/**
 * The connect machine (core `connect::ConnectFlow`) as a handle: its state
 * (with the PKCE verifier) stays inside the module, for as long as the worker
 * runs. `start` once, then `resume` or `cancel`; `free()` once it has ended.
 */
export interface ConnectMachine {
  start(nowMs: number, random: Uint8Array): FlowResult;
  resume(input: FlowInput, nowMs: number, random: Uint8Array): FlowResult;
  cancel(): FlowResult;
  free(): void;
}

export interface ConnectInput {
  address: string;
  connect: ConnectionKind;
  automation: boolean;
  clients: { google: OAuthClient | null; microsoft: OAuthClient | null };
  redirectBase: string;
  policy: { seat: "full" | "viewOnly"; allowedKinds: ConnectionKind[] | null };
  registry: { personalInboxes: string[]; teamInboxes: string[] };
  mode: "connect" | "reconnect" | "silent" | "addFeatures";
  previousState: ConnectionState;
  /** The inbox's optional features on (every sign-in of the inbox keeps their scopes). */
  optionalFeatures?: OptionalFeatures;
  /** `addFeatures`: the scopes the stored token state holds. */
  grantedScopes?: string[];
}

export type Access =
  | { kind: "use"; accessToken: string; background: unknown }
  | { kind: "refresh"; id: number; request: HttpRequest }
  | { kind: "silentReauthorize"; id: number }
  | { kind: "wait"; untilMs: number }
  | { kind: "retryAt"; atMs: number; reason: string }
  | { kind: "reauthenticate"; code: string; message: string }
  | { kind: "failed"; code: string; message: string }
  | { kind: "disconnected"; message: string };

/** What to do with a renewal's result: persist the state, or (after disconnect) nothing, revoking what it got. */
export type RenewalResult = { kind: "keep" } | { kind: "discard"; revoke: HttpRequest | null };

export type { Attempt };

/** What "check this connection now" found, for every kind (core `accounts::CheckResult`). */
export type CoreCheckResult = import("./generated/CheckResult.js").CheckResult;

/** The check machine's question: a usable access token (after telling the keeper about `rejected`). */
export type TokenQuestion = import("./generated/TokenQuestion.js").TokenQuestion;

/** The answer: the token keeper's `TokenAccess` (core `accounts::TokenAnswer`). */
export type TokenAnswer = import("./generated/TokenAnswer.js").TokenAnswer;

/** The Google/Microsoft check machine's steps (core `accounts::CheckStep`). */
export type CheckStep = import("./generated/Step.js").Step<
  import("./generated/CheckPurpose.js").CheckPurpose,
  TokenQuestion,
  CoreCheckResult,
  CoreError
>;
export type CheckInput = import("./generated/Input.js").Input<TokenAnswer>;

/** The check machine (core `accounts::OAuthCheck`) as a handle, like `ConnectMachine`; `free()` once it has ended. */
export interface CheckMachine {
  start(nowMs: number, random: Uint8Array): CheckStep;
  resume(input: CheckInput, nowMs: number, random: Uint8Array): CheckStep;
  free(): void;
}

/** Detection (core `detect::Detector`) as a handle; `free()` once it has ended. */
export interface DetectMachine {
  start(nowMs: number, random: Uint8Array): MachineStep<"mxLookup", never, Detection>;
  resume(input: MachineInput<never>, nowMs: number, random: Uint8Array): MachineStep<"mxLookup", never, Detection>;
  free(): void;
}

export type RevocationPlan =
  | { kind: "request"; request: HttpRequest }
  | { kind: "localOnly"; logoutUrl: string; consentUrl: string; instructions: string };

export interface PasswordConnectInput {
  address: string;
  connect: PasswordKind;
  policy: ConnectInput["policy"];
  registry: ConnectInput["registry"];
  /** A connected (or needs-reauthentication) state means the password is replaced. */
  previousState: ConnectionState;
}

export type { AccountEvent };

/** The core's functions as the worker uses them. */
export interface CoreApi {
  version(): string;
  /** `scheme://host/*` for an http(s) URL (what chrome.permissions speaks), undefined otherwise. */
  hostPattern(url: string): string | undefined;
  parseRequest(caller: Caller, json: string): Request;
  messageLimit(caller: Caller): { maxBytes: number; refusal: RpcError };
  /** The username a password inbox signs in with: the one typed, else the address. */
  passwordUsername(username: string | null | undefined, address: string): string;
  /** A check of an inbox whose stored password is gone. */
  passwordMissing(): CoreError;
  /** A password connect the user cancelled: nothing was saved. */
  passwordCancelled(address: string): CoreError;
  DetectMachine: new (address: string) => DetectMachine;
  disclosure(provider: ConnectionKind): Disclosure;
  ConnectMachine: new (input: ConnectInput) => ConnectMachine;
  refusal(refusal: Refusal): CoreError;
  passwordConnectStart(input: PasswordConnectInput, nowMs: number): ConnectionState;
  tokenAccess(tokens: TokenState, client: OAuthClient, nowMs: number, round: number): { tokens: TokenState; access: Access };
  tokenRefreshed(
    tokens: TokenState,
    id: number,
    outcome: Outcome,
    client: OAuthClient,
    nowMs: number,
    jitter: number,
  ): { tokens: TokenState; result: RenewalResult };
  tokenSilentResult(
    tokens: TokenState,
    id: number,
    result: { kind: "connected"; tokens: TokenState } | { kind: "failed"; message: string },
  ): { tokens: TokenState; result: RenewalResult };
  tokenDisconnect(tokens: TokenState): { tokens: TokenState };
  tokenInvalidate(tokens: TokenState, rejectedAccessToken: string): { tokens: TokenState };
  CheckMachine: new (connect: ConnectionKind) => CheckMachine;
  revokePlan(connect: ConnectionKind, tokens: TokenState, accountType: string): RevocationPlan;
  revokeResult(outcome: Outcome): RevocationResult;
  connectionTransition(state: ConnectionState, event: AccountEvent, nowMs: number): ConnectionState;
  checkTeamInbox(registry: AccountRegistry, address: string): { code: string; message: string } | null;
  /** The state an inbox found mid-flow at the worker's start returns to; null when it is not mid-flow. */
  inboxAfterInterruption(state: ConnectionState): ConnectionState | null;
  /** What turning on an optional feature asks for, and why; throws notAvailable for a kind without it. */
  featureDisclosure(connect: ConnectionKind, feature: OptionalFeature): FeatureDisclosure;
  /** The optional features an inbox can have and has, and whether scheduled email leaves with the browser closed. */
  inboxFeatures(connect: ConnectionKind, tokens: TokenState | null): InboxFeatures;
  /** The token state with a feature's scopes out of its list (the feature turned off). */
  tokenWithoutFeature(tokens: TokenState, feature: OptionalFeature): { tokens: TokenState };
  /** The id the store keys an inbox by (one per mailbox). */
  mailboxId(address: string): string;
  /** Of several stored records of one mailbox, the index of the one to keep. */
  survivingRecord(states: ConnectionState[]): number | undefined;
}

export type { Account };

// ---- Exchange (core/wasm/src/ews.rs) ----

/** What Autodiscover found (core/src/provider/ews/autodiscover.rs `Found`). */
export type AutodiscoverResult = Omit<Extract<ExchangeDiscoverReply, { kind: "found" }>, "kind">;

/** Autodiscover's question: may the password go to `host`? */
export interface AutodiscoverQuestion {
  host: string;
  url: string;
}

/** Why Autodiscover ended without a server, and the EWS URL to type instead (null when that can't help). */
export type AutodiscoverError = { code: string; message: string; suggestedUrl: string | null };

export type AutodiscoverStep = MachineStep<"autodiscover" | "redirectProbe" | "srvLookup", AutodiscoverQuestion, AutodiscoverResult, AutodiscoverError>;

/** The user's answers to Autodiscover: to its question, or instead of a request to origins they did not allow. */
export type AutodiscoverAnswer = { kind: "confirmed"; accepted: boolean } | { kind: "notAllowed"; origins: string[] };

/** How an EWS connection check ended (core/src/provider/ews/check.rs). */
export type EwsCheckStep = MachineStep<"getFolder", never, { inbox: unknown; server: unknown; build: string | null }, EwsCheckError>;
export type EwsCheckError = { code: string; message: string; outcome: "needsReauthentication" | "later" | "failed" };
export type EwsCheckEnd = Extract<EwsCheckStep, { kind: "done" | "failed" }>;

/** Autodiscover (core `provider::ews::AutodiscoverPlan`, holding the password) as a handle; `free()` when it ends or is cancelled. */
export interface AutodiscoverMachine {
  start(nowMs: number, random: Uint8Array): AutodiscoverStep;
  resume(input: MachineInput<AutodiscoverAnswer>, nowMs: number, random: Uint8Array): AutodiscoverStep;
  /** Host patterns for the awaited request and every queued candidate. */
  origins(): string[];
  free(): void;
}

/** The EWS connection check (core `provider::ews::EwsCheck`) as a handle; `free()` once it has ended. */
export interface EwsCheckMachine {
  start(nowMs: number, random: Uint8Array): EwsCheckStep;
  resume(input: MachineInput<never>, nowMs: number, random: Uint8Array): EwsCheckStep;
  free(): void;
}

/** The EWS bindings the worker uses. */
export interface ExchangeCore {
  /** Throws `{code, message}` for an invalid address. */
  AutodiscoverMachine: new (email: string, username: string, password: string, microsoft365Mx: boolean) => AutodiscoverMachine;
  detectionHostedByMicrosoft(detection: Detection): boolean;
  ewsUrlCheck(url: string): { url: string; origin: string };
  EwsCheckMachine: new (ewsUrl: string, username: string, password: string) => EwsCheckMachine;
}

// ---- IMAP/SMTP settings and the mail helper (core/wasm/src/mailconfig.rs) ----

/** The found settings of a mail discovery (core/src/provider/imap `Found`). */
export type MailDiscoveryResult = Omit<FoundSettings, "kind">;

export type MailDiscoveryStep = MachineStep<string, never, MailDiscoveryResult>;

/** The user's answer for a discovery request that was not made. */
export type MailDiscoveryAnswer = "notAllowed";

/** What happened to a discovery's planned request: its outcome, or the user did not allow its host. */
export type MailDiscoveryInput = MachineInput<MailDiscoveryAnswer>;

/** Settings discovery (core `provider::imap::Discovery`) as a handle; `free()` once it has ended. */
export interface MailDiscoveryMachine {
  start(nowMs: number, random: Uint8Array): MailDiscoveryStep;
  resume(input: MailDiscoveryInput, nowMs: number, random: Uint8Array): MailDiscoveryStep;
  /** Host patterns of the domain's own documents still to be read. */
  origins(): string[];
  free(): void;
}

/** One of an IMAP inbox's two servers. */
export type MailServerRole = "imap" | "smtp";

/** The certificate trust of an IMAP record (core `provider::imap::CertificateTrust`). */
export type CertificateTrust = import("./generated/CertificateTrust.js").CertificateTrust;

/** The core's reading of a helper failure (core/src/mailconfig/helper_error.rs). */
export interface HelperFailure {
  code: string;
  message: string;
  disposition: "reauthenticate" | "later" | "fail";
}

/** The connect's check of both logins (core `provider::imap::LoginCheck`): helper steps, then the pins or a failure (a certificate to review). */
export type ImapLoginStep = MachineStep<
  MailServerRole,
  never,
  import("./generated/LoginsVerified.js").LoginsVerified,
  import("./generated/LoginFailure.js").LoginFailure
>;

/** "Check connection" of an IMAP inbox (core `provider::imap::AccountCheck`): the trust to store, or what the check reports. */
export type ImapCheckStep = MachineStep<
  MailServerRole,
  never,
  import("./generated/AccountChecked.js").AccountChecked,
  import("./generated/AccountCheckFailure.js").AccountCheckFailure
>;

/** A login check through the helper as a handle; `free()` once it has ended. */
export interface HelperMachine<S> {
  start(nowMs: number, random: Uint8Array): S;
  resume(input: MachineInput<never>, nowMs: number, random: Uint8Array): S;
  free(): void;
}

export interface MailCore {
  MailDiscoveryMachine: new (address: string, admin: unknown) => MailDiscoveryMachine;
  mailSettingsValidate(settings: MailSettings): null;
  mailUsualSettings(address: string): MailSettings | null;
  mailHelperError(which: MailServerRole, host: string, port: number, code: string, detail: string): HelperFailure;
  ImapLoginMachine: new (settings: MailSettings, password: string, smtpPassword: string | null, pins: PinnedCertificates) => HelperMachine<ImapLoginStep>;
  ImapCheckMachine: new (settings: MailSettings, trust: CertificateTrust, password: string, smtpPassword: string | null) => HelperMachine<ImapCheckStep>;
}

export type ImapCore = CoreApi & MailCore;

/** Every binding the worker uses, typed (the generated .d.ts says `any`). */
export type WorkerCore = CoreApi & ExchangeCore & MailCore;

// ---- Sending (core/wasm/src/outbox.rs, the send module, loaded on first send use or outbox alarm) ----

/** An outbox entry as the core wrote it: JSON text the worker stores and hands back, never reads. */
export type OutboxEntryJson = string;

/** The outbox machine's steps (core `outbox::OutboxStep`): `done` carries the state it ended in. */
export type OutboxStep = import("./generated/Step.js").Step<
  import("./generated/OutboxPurpose.js").OutboxPurpose,
  import("./generated/OutboxQuestion.js").OutboxQuestion,
  import("./generated/OutboxState.js").OutboxState,
  import("./generated/OutboxError.js").OutboxError
>;

/** One call of the outbox machine: its step, the entry to store before running the step, and its view. */
export interface OutboxTurn {
  step: OutboxStep;
  state: OutboxEntryJson;
  view: import("./generated/OutboxView.js").OutboxView;
}

/** `new OutboxMachine(json, mime, transmitted, lookupGraceMs)`: one email's machine as a handle; `free()` when done. */
export interface OutboxMachineHandle {
  start(nowMs: number, random: Uint8Array): OutboxTurn;
  resume(input: MachineInput<import("./generated/SecretAnswer.js").SecretAnswer>, nowMs: number, random: Uint8Array): OutboxTurn;
  free(): void;
}

/**
 * The send module's outbox functions as they cross (core/wasm/src/outbox.rs);
 * refusals thrown as `{code, message}` (core `outbox::OutboxError`).
 */
export interface SendBinding {
  outboxCreate(request: import("./generated/NewEmail.js").NewEmail<import("./generated/SendTarget.js").SendTarget>): OutboxEntryJson;
  outboxView(json: OutboxEntryJson): import("./generated/OutboxView.js").OutboxView;
  outboxCancel(json: OutboxEntryJson, nowMs: number): OutboxEntryJson;
  outboxReschedule(json: OutboxEntryJson, atMs: number): OutboxEntryJson;
  outboxMarkSent(json: OutboxEntryJson): OutboxEntryJson;
  outboxSendAgain(json: OutboxEntryJson): OutboxEntryJson;
  /** What to do now, and the entry afterwards (marked late, or held: store it when it changed). */
  outboxDue(
    json: OutboxEntryJson,
    nowMs: number,
    policy: import("./generated/DuePolicy.js").DuePolicy,
  ): { due: import("./generated/Due.js").Due; json: OutboxEntryJson };
  OutboxMachine: new (json: OutboxEntryJson, mime: Uint8Array, transmitted: Uint8Array | null | undefined, lookupGraceMs: number | undefined) => OutboxMachineHandle;
}

// ---- Composing (core/wasm/src/compose.rs, the compose module, loaded when an email is saved or sent) ----

/**
 * The compose module's functions as they cross: templates, HTML sanitising
 * (ammonia, html5ever) and MIME, kept out of the send module so an outbox
 * alarm does not read them.
 */
export interface ComposeBinding {
  /** Throws `ComposeError` `{code, message, token?, field?}`. */
  composeEmail(input: import("./generated/ComposeInput.js").ComposeInput, nowMs: number, random: Uint8Array): import("./generated/Composed.js").Composed;
  /** The compose dialog's preview; throws `ComposeError` naming the token. */
  renderTemplate(template: string, context: import("./generated/TokenContext.js").TokenContext, html: boolean | null | undefined): string;
  /** What compose keeps of an HTML body: drafts, templates and signatures are stored so. */
  sanitizeHtml(html: string): string;
  /** A reply to a timeline email (To, From, `Re:` subject, In-Reply-To, References, thread); null without a Message-ID. */
  replyOf(entry: import("./generated/TimelineEntry.js").TimelineEntry, own: string[]): import("./generated/ReplyDraft.js").ReplyDraft | null;
}

// ---- The CRM (core/wasm/src/crm.rs, the crm module, loaded on first CRM use) ----

/**
 * The crm module's functions as they cross: records, commands and write
 * sets as JSON text, one serde_json reading per call (core/wasm/src/crm.rs);
 * refusals thrown as `{code, message}`. `CrmCore` below is the same
 * functions with their values, which crm/core.ts converts to and from.
 */
export interface CrmBinding {
  crmDefaultSettings(): string;
  crmValidateSettings(settingsJson: string): string;
  crmReadSettings(savedJson: string | null, policyJson: string): string;
  crmChoices(): string;
  crmLookups(commandJson: string): string;
  crmApply(commandJson: string, foundJson: string, settingsJson: string, nowMs: number, random: Uint8Array): string;
  crmQueryKeys(query: string): string;
  crmRank(query: string, candidatesJson: string, limit: number): string;
  crmTimeline(entriesJson: string): string;
  crmMatches(filterJson: string, recordsJson: string, settingsJson: string, nowMs: number): string;
  crmSumAmounts(amountsJson: string): string;
  crmCsvPreview(text: string): string;
  crmCsvImport(text: string, mappingJson: string, existingJson: string, settingsJson: string, nowMs: number, random: Uint8Array): string;
  crmCsvExport(kind: string, recordsJson: string, settingsJson: string, nowMs: number): string;
  crmNewImportId(random: Uint8Array): string;
  /** `{code, message}` as JSON: the worker's refusal of an import it does not have. */
  crmImportNotFound(importId: string): string;
  /** `{code, message}` as JSON: the worker's answer for a record it does not have. */
  crmNotFound(record: string): string;
  crmTrashCutoff(nowMs: number): number;
  crmImportCutoff(nowMs: number): number;
  crmSentEmailLookups(emailJson: string, settingsJson: string, foundJson: string | null): string;
  crmLogSentEmail(emailJson: string, foundJson: string, settingsJson: string, nowMs: number, random: Uint8Array): string;
}

/** A stored CRM record or timeline entry, as the core wrote it (core/src/crm/model.rs). */
export type CrmRow = { id: string } & Record<string, unknown>;

/** What the worker must read before a command (core `crm::Lookups`). */
export interface CrmLookups {
  ids: string[];
  emailKeys: string[];
  domains: string[];
  timelineOf: string[];
  relatedOf: string[];
  trash: string[];
  timelineIds: string[];
}

/** What it read (core `crm::Found`). */
export interface CrmFound {
  records: CrmRow[];
  contactsByEmailKey: CrmRow[];
  companiesByDomain: CrmRow[];
  timeline: CrmRow[];
  trash: CrmRow[];
}

type CrmStoreName = "contacts" | "companies" | "deals" | "tasks" | "notes" | "timeline" | "trash";

/** The puts and deletes of one write, applied in one transaction, and what the page is answered (core `crm::WriteSet`). */
export interface CrmWriteSet {
  put: Partial<Record<CrmStoreName, CrmRow[]>>;
  delete: Partial<Record<CrmStoreName, string[]>>;
  result: unknown;
}

/** The CRM's settings (core `crm::CrmSettings`). */
export interface CrmSettings {
  owners: { id: string; name: string; email: string | null }[];
  pipelines: { id: string; name: string; stages: { id: string; name: string; probability: number; closed: "won" | "lost" | null }[] }[];
  currency: string;
  /** Which sent emails are logged (absent in settings saved before it: the defaults). */
  emailLog?: { neverLog: string[]; neverLogOwnDomain: boolean; createContacts: boolean };
}

/** The settings in force and what of the admin policy was ignored (core `crm::CrmSettingsReading`). */
export interface CrmSettingsReading {
  settings: CrmSettings;
  ownersFromPolicy: boolean;
  pipelinesFromPolicy: boolean;
  ignored: { key: string; message: string }[];
}

/** A company already stored, as an import links contacts to it (core `crm::csv_import::ExistingCompany`). */
export interface ExistingCompany {
  id: string;
  name: string;
  domains: string[];
}

/** The crm module's functions with their values (crm/core.ts). */
export interface CrmCore {
  crmLookups(command: unknown): CrmLookups;
  /** Throws `{code, message}` when the command is refused. */
  crmApply(command: unknown, found: CrmFound, settings: CrmSettings, nowMs: number, random: Uint8Array): CrmWriteSet;
  crmQueryKeys(query: string): string[];
  crmRank(query: string, candidates: CrmRow[], limit: number): unknown[];
  crmTimeline(entries: CrmRow[]): CrmRow[];
  crmMatches(filter: unknown, records: CrmRow[], settings: CrmSettings, nowMs: number): boolean[];
  crmSumAmounts(amounts: string[]): string;
  crmReadSettings(saved: CrmSettings | null, policy: unknown): CrmSettingsReading;
  /** Throws `{code, message}` for settings that cannot be used. */
  crmValidateSettings(settings: CrmSettings): CrmSettings;
  crmCsvPreview(text: string): unknown;
  crmCsvImport(
    text: string,
    mapping: unknown,
    existing: { emailKeys: string[]; companies: ExistingCompany[] },
    settings: CrmSettings,
    nowMs: number,
    random: Uint8Array,
  ): { writes: CrmWriteSet; imported: number; skipped: { line: number; reason: string }[] };
  /** `records`: every record the file names (contacts, their companies, deals). */
  crmCsvExport(kind: string, records: CrmRow[], settings: CrmSettings, nowMs: number): { filename: string; text: string };
  /** Trash entries deleted before this time (ms) are purged. */
  crmTrashCutoff(nowMs: number): number;
  /** Staged imports older than this time (ms) are discarded. */
  crmImportCutoff(nowMs: number): number;
  crmNotFound(record: string): { code: string; message: string };
  crmNewImportId(random: Uint8Array): string;
  crmImportNotFound(importId: string): { code: string; message: string };
  /** What to read before crmLogSentEmail: first with `found` null, then with what that read found. */
  crmSentEmailLookups(email: SentEmail, settings: CrmSettings, found: CrmFound | null): CrmLookups;
  /** Throws `{code, message}` for an email without a usable Message-ID. */
  crmLogSentEmail(email: SentEmail, found: CrmFound, settings: CrmSettings, nowMs: number, random: Uint8Array): CrmWriteSet;
}
