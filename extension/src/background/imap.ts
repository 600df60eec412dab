// Any IMAP/SMTP account, in the worker: is the mail helper there, which
// settings (the core's discovery: admin policy, the domain's autoconfig,
// Thunderbird's ISPDB, MX, guesses), and connecting (the core's admission,
// then an IMAP and an SMTP login through the helper, then the record and the
// passwords saved together by passwordConnect.ts). The "check connection"
// of an IMAP inbox logs in again.
//
// Passwords arrive from Inlay's own pages (the core's page schema), go to
// the helper and to IndexedDB only; they are never logged, never put in a
// URL and never sent to a content script.
import type { Account, CheckResult, MailSettings } from "../shared/accounts.js";
import { errorText, type FoundSettings as Found, type HelperStatus, type ImapStartReply as ImapStart } from "../shared/messages.js";
import { markNeedsReauthentication, UserError } from "./accounts.js";
import { Bridge, bridge as sharedBridge, BridgeError, installUrl } from "./bridge.js";
import type { CoreApi, Outcome } from "./coreTypes.js";
import { execute, type HttpRequest } from "./executor.js";
import { connectWithPassword, NO_PASSWORD } from "./passwordConnect.js";
import { loadSettings } from "./settings.js";
import * as store from "./store.js";


type Step = { kind: "http"; request: HttpRequest; purpose: string } | Found | { kind: "failed"; code: string; message: string };

/** The core's mail-settings bindings (core/wasm/src/mailconfig.rs). */
export interface MailCore {
  mailDiscoveryStart(address: string, admin: unknown): { discovery: unknown; step: Step };
  mailDiscoveryResume(discovery: unknown, outcome: Outcome): { discovery: unknown; step: Step };
  mailSettingsValidate(settings: MailSettings): null;
  mailSentCopyNeeded(settings: MailSettings): boolean;
  mailDiscoveryOrigins(discovery: unknown): string[];
  mailUsualSettings(address: string): MailSettings | null;
  mailHelperError(which: Which, host: string, port: number, code: string, detail: string): HelperFailure;
}

/** The core's reading of a helper failure (core/src/mailconfig/helper_error.rs). */
interface HelperFailure {
  code: string;
  message: string;
  disposition: "reauthenticate" | "later" | "fail";
}

export type ImapCore = CoreApi & MailCore;


export interface ImapConnectRequest {
  address: string;
  automation: boolean;
  settings: MailSettings;
  password: string;
  smtpPassword?: string;
  trustAnyCertificate: boolean;
}

/** Injected for tests: the helper, and the check of host permissions. */
export interface Deps {
  bridge: () => Bridge;
  hasOrigin: (origin: string) => Promise<boolean>;
  fetchOutcome: (request: HttpRequest) => Promise<Outcome>;
}

const defaults: Deps = {
  bridge: sharedBridge,
  hasOrigin: (origin) => chrome.permissions.contains({ origins: [origin] }),
  fetchOutcome: (request) => execute(request),
};

async function adminSettings(): Promise<unknown[]> {
  return (await loadSettings()).mailSettings;
}

/** Starts discovery with the admin's settings, falling back to none when the policy's shape is wrong. */
async function startDiscovery(core: ImapCore, address: string) {
  const admin = await adminSettings();
  try {
    return core.mailDiscoveryStart(address, admin);
  } catch (e) {
    if ((e as { code?: string })?.code !== "invalidArgument" || admin.length === 0) throw e;
    return core.mailDiscoveryStart(address, []);
  }
}

function failedStep(step: Step): never {
  const failed = step as { code: string; message: string };
  throw new UserError(failed.code, failed.message);
}

export async function helperStatus(deps: Deps = defaults): Promise<HelperStatus> {
  try {
    const value = await deps.bridge().request<{ version: string }>("ping", {}, 5_000);
    return { installed: true, version: value.version };
  } catch (e) {
    const message = e instanceof BridgeError ? e.message : String(e);
    return { installed: false, message, installUrl: installUrl() };
  }
}

/** What the IMAP form needs before it shows: the helper, admin settings, origins to ask for. */
export async function start(core: ImapCore, address: string, deps: Deps = defaults): Promise<ImapStart> {
  const [helper, { discovery, step }] = await Promise.all([helperStatus(deps), startDiscovery(core, address)]);
  if (step.kind === "failed") failedStep(step);
  const usual = core.mailUsualSettings(address);
  if (step.kind === "found") return { helper, admin: step, origins: [], usual };
  return { helper, admin: null, origins: core.mailDiscoveryOrigins(discovery), usual };
}

/**
 * Runs discovery to its end. A request to an origin the user has not granted
 * is not made: the core hears a transport failure and moves on to the next
 * source (the ISPDB, then guesses), so declining costs only the domain's own
 * settings.
 */
export async function discover(core: ImapCore, address: string, deps: Deps = defaults): Promise<Found> {
  let { discovery, step } = await startDiscovery(core, address);
  for (let hops = 0; step.kind === "http"; hops++) {
    if (hops > 20) throw new UserError("discoveryLoop", "Finding the mail settings took too many steps. Enter them under Advanced options.");
    const origin = core.hostPattern(step.request.url);
    const allowed = origin !== null && (await deps.hasOrigin(origin).catch(() => false));
    const outcome: Outcome = allowed ? await deps.fetchOutcome(step.request) : { kind: "transport", failure: "network" };
    ({ discovery, step } = core.mailDiscoveryResume(discovery, outcome));
  }
  if (step.kind === "failed") failedStep(step);
  return step;
}

type Which = "imap" | "smtp";

/** A helper failure as a UserError in the core's words. */
function describeCheckError(core: ImapCore, which: Which, host: string, port: number, error: BridgeError): UserError {
  const failure = core.mailHelperError(which, host, port, error.code, error.message);
  return new UserError(failure.code, failure.message);
}

interface CheckArgs {
  host: string;
  port: number;
  security: string;
  username: string;
  password: string;
  trustAnyCertificate: boolean;
}

/** The helper's check arguments for one of the account's servers. */
function checkArgs(settings: MailSettings, which: Which, password: string, trustAnyCertificate: boolean): CheckArgs {
  const { host, port, security, username } = settings[which];
  return { host, port, security, username, password, trustAnyCertificate };
}

async function check(core: ImapCore, deps: Deps, which: Which, args: CheckArgs): Promise<void> {
  try {
    await deps.bridge().request(which === "imap" ? "imapCheck" : "smtpCheck", { ...args });
  } catch (e) {
    if (e instanceof BridgeError) throw describeCheckError(core, which, args.host, args.port, e);
    throw e;
  }
}

/** Validates the form (the core names the field), checks both logins, saves. */
export async function connect(core: ImapCore, request: ImapConnectRequest, deps: Deps = defaults): Promise<Account> {
  const { settings, trustAnyCertificate } = request;
  try {
    core.mailSettingsValidate(settings);
  } catch (e) {
    const error = e as { code?: string; message?: string; field?: string };
    throw new UserError("invalidSettings", error.message ?? String(e));
  }
  return connectWithPassword(core, { address: request.address, provider: "imap", automation: request.automation }, async () => {
    await check(core, deps, "imap", checkArgs(settings, "imap", request.password, trustAnyCertificate));
    const smtpPassword = settings.sameCredentials ? request.password : request.smtpPassword;
    if (!smtpPassword) throw new UserError("invalidSettings", "Outgoing (SMTP) password: is required.");
    await check(core, deps, "smtp", checkArgs(settings, "smtp", smtpPassword, trustAnyCertificate));
    return {
      displayName: null,
      server: { kind: "imap", settings, trustAnyCertificate, appendToSent: core.mailSentCopyNeeded(settings) },
      secrets: settings.sameCredentials ? { password: request.password } : { password: request.password, smtpPassword },
    };
  });
}

/** "Check connection" for an IMAP inbox: an IMAP login with the stored password. */
export async function checkImapAccount(core: ImapCore, account: Account, deps: Deps = defaults): Promise<CheckResult> {
  const server = account.server;
  const secrets = await store.getSecrets(account.address);
  if (server?.kind !== "imap" || !secrets?.password) return { outcome: "failed", message: NO_PASSWORD };
  const args = checkArgs(server.settings, "imap", secrets.password, server.trustAnyCertificate);
  try {
    await deps.bridge().request("imapCheck", { ...args });
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
