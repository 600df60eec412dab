// Any IMAP/SMTP account, in the worker: is the mail helper there, which
// settings (the core's discovery: admin policy, the domain's autoconfig,
// Thunderbird's ISPDB, MX, guesses), and connecting (the core's admission,
// then an IMAP and an SMTP login through the helper, then the record and the
// passwords saved together by passwordConnect.ts). The "check connection"
// of an IMAP inbox logs in again.
//
// Certificates: a server whose certificate the helper can't verify (or one
// that differs from the pinned one) gets no password; the connect answers
// with the certificate for the user to review, and only the one accepted is
// pinned (per server) on the account; the same key at the other server is
// accepted without a second review (the core decides). Accounts from before
// pins ("trust any certificate") are moved to pins at their next successful
// check, once, as the core decides, and the user is told in its words until
// they dismiss the notice.
//
// Passwords arrive from Inlay's own pages (the core's page schema), go to
// the helper and to IndexedDB only; they are never logged, never put in a
// URL and never sent to a content script.
import type { ImapConnectArg } from "../core/generated/ImapConnectArg.js";
import type { Account, CheckResult, MailSettings, PinnedCertificates, ServerCertificate } from "../../shared/inboxes.js";
import {
  errorText,
  InlayError,
  type FoundSettings as Found,
  type HelperStatus,
  type ImapConnectReply,
  type ImapStartReply as ImapStart,
} from "../../shared/messages.js";
import type {
  CertificateTrust,
  HelperCheckReply,
  ImapCore,
  MailDiscoveryAnswer,
  MailDiscoveryInput,
  MailDiscoveryMachine,
  MailDiscoveryStep,
  MailServerRole,
  Outcome,
} from "../core/types.js";
import { drive } from "../core/drive.js";
import { Bridge, bridge as sharedBridge, BridgeError, installUrl } from "../io/bridge.js";
import { execute, type HttpRequest } from "../io/http.js";
import { hasOrigins } from "../io/permissions.js";
import { momentBytes } from "../io/random.js";
import { accountsChanged } from "../state/broadcast.js";
import { loadSettings } from "../state/settings.js";
import * as store from "../state/store.js";
import { markNeedsReauthentication } from "./inboxState.js";
import { connectWithPassword } from "./passwordConnect.js";

/** `imapConnect` as the core's schema reads it (generated). */
export type ImapConnectRequest = ImapConnectArg;

/** Injected for tests: the helper, and the check of host permissions. */
export interface Deps {
  bridge: () => Bridge;
  hasOrigin: (origin: string) => Promise<boolean>;
  fetchOutcome: (request: HttpRequest) => Promise<Outcome>;
}

const defaults: Deps = {
  bridge: sharedBridge,
  hasOrigin: (origin) => hasOrigins([origin]),
  fetchOutcome: (request) => execute(request),
};

/** Discovery with the admin's settings (the core names any entry it can't use); a handle the caller frees. */
async function newDiscovery(core: ImapCore, address: string): Promise<MailDiscoveryMachine> {
  return new core.MailDiscoveryMachine(address, (await loadSettings()).mailSettings);
}

/** The found settings, or the core's failure thrown in its words. */
function result(step: MailDiscoveryStep): Found {
  if (step.kind === "done") return { kind: "found", ...step.result };
  if (step.kind === "failed") throw new InlayError(step.error.code, step.error.message);
  throw new Error(`mail discovery ended on a ${step.kind} step`);
}

/** Whether the helper answers; if not, why, in the core's words. */
export async function helperStatus(core: ImapCore, deps: Deps = defaults): Promise<HelperStatus> {
  try {
    const value = await deps.bridge().request<{ version: string }>("ping", {}, 5_000);
    return { installed: true, version: value.version };
  } catch (e) {
    const message = e instanceof BridgeError ? core.mailHelperError("imap", "", 0, e.code, e.message).message : errorText(e);
    return { installed: false, message, installUrl: installUrl() };
  }
}

/** What the IMAP form needs before it shows: the helper, admin settings, origins to ask for. */
export async function start(core: ImapCore, address: string, deps: Deps = defaults): Promise<ImapStart> {
  const [helper, discovery] = await Promise.all([helperStatus(core, deps), newDiscovery(core, address)]);
  try {
    const step = discovery.start(Date.now(), momentBytes());
    const usual = core.mailUsualSettings(address);
    if (step.kind !== "http") return { helper, admin: result(step), origins: [], usual };
    return { helper, admin: null, origins: discovery.origins(), usual };
  } finally {
    discovery.free();
  }
}

/**
 * Runs discovery to its end (the core caps its requests). A request to an
 * origin the user has not granted is not made: the core hears so, notes it
 * in the evidence and moves on to the next source (the ISPDB, then guesses),
 * so declining costs only the domain's own settings.
 */
export async function discover(core: ImapCore, address: string, deps: Deps = defaults): Promise<Found> {
  const discovery = await newDiscovery(core, address);
  const http = async (request: HttpRequest): Promise<Outcome | { kind: "answer"; answer: MailDiscoveryAnswer }> => {
    const origin = core.hostPattern(request.url);
    const allowed = origin !== undefined && (await deps.hasOrigin(origin).catch(() => false));
    return allowed ? deps.fetchOutcome(request) : { kind: "answer", answer: "notAllowed" };
  };
  try {
    const resume = (input: MailDiscoveryInput): MailDiscoveryStep => discovery.resume(input, Date.now(), momentBytes());
    return result(await drive(discovery.start(Date.now(), momentBytes()), resume, { http }));
  } finally {
    discovery.free();
  }
}

/** The codes after which the user reviews the server's certificate (the helper sent no password). */
const REVIEW_CODES = ["untrustedCertificate", "certificateChanged"];

/** A certificate to review, raised out of the connect's verify step. */
export class CertificateReview extends InlayError {
  constructor(
    readonly server: MailServerRole,
    readonly host: string,
    message: string,
    readonly certificate: ServerCertificate,
    /** The helper's code: untrustedCertificate or certificateChanged. */
    readonly reason: string,
  ) {
    super("reviewCertificate", message);
  }
}

/** A helper failure as an InlayError in the core's words (a certificate to review keeps the certificate). */
function describeCheckError(core: ImapCore, which: MailServerRole, host: string, port: number, error: BridgeError): InlayError {
  const failure = core.mailHelperError(which, host, port, error.code, error.message);
  if (REVIEW_CODES.includes(error.code) && error.certificate) return new CertificateReview(which, host, failure.message, error.certificate, error.code);
  return new InlayError(failure.code, failure.message);
}

/** The helper's check arguments (bridge/README.md `CheckArgs`). */
interface CheckArgs {
  host: string;
  port: number;
  security: string;
  username: string;
  password: string;
  pinnedSpki?: string;
  trustAnyCertificate?: boolean;
}

/** The helper's check arguments for one of the account's servers: its pin when the user accepted one. */
export function checkArgs(settings: MailSettings, which: MailServerRole, password: string, pin: string | null): CheckArgs {
  const { host, port, security, username } = settings[which];
  return { host, port, security, username, password, ...(pin ? { pinnedSpki: pin } : {}) };
}

/** One server's login through the helper; failures in the core's words (exported for tests). */
export async function check(core: ImapCore, deps: Deps, which: MailServerRole, args: CheckArgs): Promise<HelperCheckReply> {
  try {
    return (await deps.bridge().request<HelperCheckReply>(which === "imap" ? "imapCheck" : "smtpCheck", { ...args })) ?? {};
  } catch (e) {
    if (e instanceof BridgeError) throw describeCheckError(core, which, args.host, args.port, e);
    throw e;
  }
}

/**
 * One server's check at its pin. A certificate to review that the core finds
 * the user already accepted for the other server is checked again pinned to
 * it, without a second review. Answers the server's pin (exported for tests).
 */
export async function checkPinned(core: ImapCore, deps: Deps, which: MailServerRole, settings: MailSettings, password: string, pins: PinnedCertificates): Promise<string | null> {
  try {
    await check(core, deps, which, checkArgs(settings, which, password, pins[which]));
    return pins[which];
  } catch (e) {
    if (!(e instanceof CertificateReview)) throw e;
    const pin = core.mailCertificateAcceptedElsewhere(which, e.reason, e.certificate.spkiSha256, pins);
    if (!pin) throw e;
    await check(core, deps, which, checkArgs(settings, which, password, pin));
    return pin;
  }
}

/**
 * Validates the form (the core names the field), checks both logins, saves.
 * A certificate to review ends the attempt with `reviewCertificate`; the page
 * shows it and, if the user accepts it, connects again with it pinned.
 */
export async function connect(core: ImapCore, request: ImapConnectRequest, deps: Deps = defaults): Promise<ImapConnectReply> {
  const { settings, pinnedCertificates: pins } = request;
  try {
    core.mailSettingsValidate(settings);
  } catch (e) {
    const error = e as { code?: string; message?: string; field?: string };
    throw new InlayError("invalidSettings", error.message ?? String(e));
  }
  try {
    const account = await connectWithPassword(core, { address: request.address, provider: "imap", automation: request.automation }, async () => {
      const imapPin = await checkPinned(core, deps, "imap", settings, request.password, pins);
      const smtpPassword = settings.sameCredentials ? request.password : request.smtpPassword;
      if (!smtpPassword) throw new InlayError("invalidSettings", "Outgoing (SMTP) password: is required.");
      const smtpPin = await checkPinned(core, deps, "smtp", settings, smtpPassword, { imap: imapPin, smtp: pins.smtp });
      return {
        displayName: null,
        server: { kind: "imap", settings, pinnedCertificates: { imap: imapPin, smtp: smtpPin }, appendToSent: core.mailSentCopyNeeded(settings) },
        secrets: settings.sameCredentials ? { password: request.password } : { password: request.password, smtpPassword },
      };
    });
    return { kind: "connected", account };
  } catch (e) {
    if (!(e instanceof CertificateReview)) throw e;
    return { kind: "reviewCertificate", server: e.server, host: e.host, message: e.message, certificate: e.certificate };
  }
}

/**
 * The move from "trust any certificate" to pins, at the first successful
 * check: the SMTP server is checked once more with trust-any, and the core
 * decides from both reports what is pinned and what the user is told. Answers
 * the notice, or null.
 */
async function pinLegacyAccount(core: ImapCore, account: Account, imap: HelperCheckReply, smtpPassword: string, deps: Deps): Promise<string | null> {
  const server = account.server;
  if (server?.kind !== "imap") return null;
  const trust = await legacyTrust(core, deps, server.settings, trustOf(server), imap, smtpPassword);
  if (!trust) return null;
  const latest = (await store.getAccount(account.address)) ?? account;
  if (latest.server?.kind !== "imap") return null;
  await store.putAccount({ ...latest, server: { ...latest.server, ...trust } });
  accountsChanged();
  return trust.notice;
}

/** The trust to store after the IMAP trust-any check answered `imap`, or null: the SMTP check, then the core's decision (exported for tests). */
export async function legacyTrust(core: ImapCore, deps: Deps, settings: MailSettings, trust: CertificateTrust, imap: HelperCheckReply, smtpPassword: string): Promise<CertificateTrust | null> {
  const smtp = await check(core, deps, "smtp", { ...checkArgs(settings, "smtp", smtpPassword, null), trustAnyCertificate: true }).catch(() => null);
  return core.mailCertificateMigration(settings, trust, imap, smtp);
}

/** The trust fields of an IMAP record, as the core reads them. */
function trustOf(server: Extract<Account["server"], { kind: "imap" }>): CertificateTrust {
  return {
    pinnedCertificates: server.pinnedCertificates ?? { imap: null, smtp: null },
    trustAnyCertificate: server.trustAnyCertificate === true,
    notice: server.notice ?? null,
  };
}

/** The user dismissed the notice beside an IMAP inbox: it is not shown again. */
export async function dismissNotice(address: string): Promise<null> {
  const account = await store.getAccount(address);
  if (account?.server?.kind !== "imap" || !account.server.notice) return null;
  await store.putAccount({ ...account, server: { ...account.server, notice: null } });
  accountsChanged();
  return null;
}

/** "Check connection" for an IMAP inbox: an IMAP login with the stored password, at the pinned certificate. */
export async function checkImapAccount(core: ImapCore, account: Account, deps: Deps = defaults): Promise<CheckResult> {
  const server = account.server;
  const secrets = await store.getSecrets(account.address);
  if (server?.kind !== "imap" || !secrets?.password) return { outcome: "failed", message: core.passwordMissing().message };
  const legacy = server.trustAnyCertificate === true;
  const args = legacy
    ? { ...checkArgs(server.settings, "imap", secrets.password, null), trustAnyCertificate: true }
    : checkArgs(server.settings, "imap", secrets.password, server.pinnedCertificates?.imap ?? null);
  try {
    const reply = (await deps.bridge().request<HelperCheckReply>("imapCheck", { ...args })) ?? {};
    if (legacy) {
      const notice = await pinLegacyAccount(core, account, reply, secrets.smtpPassword ?? secrets.password, deps);
      if (notice) return { outcome: "ok", message: notice };
    }
    return { outcome: "ok", message: null };
  } catch (e) {
    if (!(e instanceof BridgeError)) return { outcome: "failed", message: errorText(e) };
    // The core decides: a refused password needs the user; an unreachable server or helper is "later".
    const failure = core.mailHelperError("imap", args.host, args.port, e.code, e.message);
    switch (failure.disposition) {
      case "reauthenticate":
        await markNeedsReauthentication(core, account.address, failure.code, failure.message);
        return { outcome: "needsReauthentication", message: failure.message };
      case "later":
        return { outcome: "later", message: failure.message };
      case "fail":
        return { outcome: "failed", message: failure.message };
    }
  }
}
