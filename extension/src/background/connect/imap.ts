// Any IMAP/SMTP account, in the worker: is the mail helper there, which
// settings (the core's discovery: admin policy, the domain's autoconfig,
// Thunderbird's ISPDB, MX, guesses), and connecting (the core's admission,
// then an IMAP and an SMTP login through the helper, then the record and the
// passwords saved together by passwordConnect.ts). The "check connection"
// of an IMAP inbox logs in again. Both login checks are the core's machines
// (provider/imap/check.rs), run by the step driver: this file only sends
// their helper calls and stores what they decided.
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
import type { Account, CheckResult, MailSettings, PinnedCertificates } from "../../shared/inboxes.js";
import {
  errorText,
  InlayError,
  type FoundSettings as Found,
  type HelperStatus,
  type ImapConnectReply,
  type ImapStartReply as ImapStart,
} from "../../shared/messages.js";
import type { CertificateReview as ToReview } from "../core/generated/CertificateReview.js";
import type { LoginsVerified } from "../core/generated/LoginsVerified.js";
import type {
  CertificateTrust,
  HelperMachine,
  ImapCheckStep,
  ImapCore,
  MailDiscoveryAnswer,
  MailDiscoveryInput,
  MailDiscoveryMachine,
  MailDiscoveryStep,
  MailServerRole,
  Outcome,
} from "../core/types.js";
import { drive, type Final, type Input as MachineInput, type Step } from "../core/drive.js";
import { Bridge, bridge as sharedBridge, BridgeError, installUrl, runHelperCall } from "../io/bridge.js";
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

/** A certificate to review (the core's failure of the logins), raised out of the connect's verify step. */
export class CertificateReview extends InlayError {
  constructor(
    message: string,
    readonly review: ToReview,
  ) {
    super("reviewCertificate", message);
  }
}

/** Drives a login-check handle to its end, each helper step through `deps`' helper; frees it. */
async function run<R, E>(machine: HelperMachine<Step<MailServerRole, never, R, E>>, deps: Deps): Promise<Final<R, E>> {
  try {
    const resume = (input: MachineInput<never>) => machine.resume(input, Date.now(), momentBytes());
    return await drive(machine.start(Date.now(), momentBytes()), resume, { helper: (call) => runHelperCall(deps.bridge(), call) });
  } finally {
    machine.free();
  }
}

/**
 * Both logins through the helper, IMAP then SMTP, at the accepted pins (the
 * core's LoginCheck: which certificate is reviewed, which is accepted for the
 * other server, the words). Answers the pins and the Sent copy; a certificate
 * to review is thrown as CertificateReview, any other failure as InlayError
 * (exported for tests).
 */
export async function verifyLogins(
  core: ImapCore,
  deps: Deps,
  settings: MailSettings,
  passwords: { password: string; smtpPassword: string | null },
  pins: PinnedCertificates,
): Promise<LoginsVerified> {
  const end = await run(new core.ImapLoginMachine(settings, passwords.password, passwords.smtpPassword, pins), deps);
  if (end.kind === "done") return end.result;
  const { code, message, review } = end.error;
  throw review ? new CertificateReview(message, review) : new InlayError(code, message);
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
    const account = await connectWithPassword(core, { address: request.address, connect: "imap", automation: request.automation }, async () => {
      const smtpPassword = request.smtpPassword ?? null;
      const verified = await verifyLogins(core, deps, settings, { password: request.password, smtpPassword }, pins);
      return {
        displayName: null,
        server: { kind: "imap", settings, pinnedCertificates: verified.pinnedCertificates, appendToSent: verified.appendToSent },
        secrets: settings.sameCredentials || !smtpPassword ? { password: request.password } : { password: request.password, smtpPassword },
      };
    });
    return { kind: "connected", account };
  } catch (e) {
    if (!(e instanceof CertificateReview)) throw e;
    return { kind: "reviewCertificate", message: e.message, ...e.review };
  }
}

/**
 * "Check connection"'s login through the helper (the core's AccountCheck:
 * at the pin; for an account from before pins, trusting any certificate at
 * both servers and deciding what is pinned from now on). Exported for tests.
 */
export async function checkLogin(
  core: ImapCore,
  deps: Deps,
  settings: MailSettings,
  trust: CertificateTrust,
  passwords: { password: string; smtpPassword: string | null },
): Promise<Extract<ImapCheckStep, { kind: "done" | "failed" }>> {
  return run(new core.ImapCheckMachine(settings, trust, passwords.password, passwords.smtpPassword), deps);
}

/** Stores the trust the check decided (on the latest record) and answers its notice. */
async function storeTrust(account: Account, trust: CertificateTrust): Promise<string | null> {
  const latest = (await store.getAccount(account.address)) ?? account;
  if (latest.server?.kind !== "imap") return null;
  await store.putAccount({ ...latest, server: { ...latest.server, ...trust } });
  accountsChanged();
  return trust.notice;
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

/** "Check connection" for an IMAP inbox: the core's check, then what it decided stored and reported. */
export async function checkImapAccount(core: ImapCore, account: Account, deps: Deps = defaults): Promise<CheckResult> {
  const server = account.server;
  const secrets = await store.getSecrets(account.address);
  if (server?.kind !== "imap" || !secrets?.password) return { outcome: "failed", message: core.passwordMissing().message };
  let end;
  try {
    end = await checkLogin(core, deps, server.settings, trustOf(server), { password: secrets.password, smtpPassword: secrets.smtpPassword ?? null });
  } catch (e) {
    return { outcome: "failed", message: errorText(e) };
  }
  if (end.kind === "done") {
    const notice = end.result.trust ? await storeTrust(account, end.result.trust) : null;
    return { outcome: "ok", message: notice };
  }
  const { code, message, outcome } = end.error;
  if (outcome === "needsReauthentication") await markNeedsReauthentication(core, account.address, code, message);
  return { outcome, message };
}
