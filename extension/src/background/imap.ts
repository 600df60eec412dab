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
import type { Account, MailSettings } from "../shared/accounts.js";
import { markNeedsReauthentication, UserError } from "./accounts.js";
import { Bridge, bridge as sharedBridge, BridgeError, installUrl } from "./bridge.js";
import type { CoreApi, Outcome } from "./coreTypes.js";
import { execute, type HttpRequest } from "./executor.js";
import { connectWithPassword } from "./passwordConnect.js";
import { loadSettings } from "./settings.js";
import * as store from "./store.js";

/** The core's discovery result (core/src/mailconfig `Step::Found`). */
export interface Found {
  kind: "found";
  settings: MailSettings;
  alternatives: MailSettings[];
  source: "admin" | "domainAutoconfig" | "ispdb" | "mxIspdb" | "guess";
  confidence: "low" | "medium" | "high";
  evidence: string[];
}

type Step = { kind: "http"; request: HttpRequest; purpose: string } | Found | { kind: "failed"; code: string; message: string };

/** The core's mail-settings bindings (core/wasm/src/mailconfig.rs). */
export interface MailCore {
  mailDiscoveryStart(address: string, admin: unknown): { discovery: unknown; step: Step };
  mailDiscoveryResume(discovery: unknown, outcome: Outcome): { discovery: unknown; step: Step };
  mailSettingsValidate(settings: MailSettings): null;
  mailSentCopyNeeded(settings: MailSettings): boolean;
}

export type ImapCore = CoreApi & MailCore;

export type HelperStatus = { installed: true; version: string } | { installed: false; message: string; installUrl: string };

export interface ImapStart {
  helper: HelperStatus;
  /** Settings the admin configured for the address's domain, if any. */
  admin: Found | null;
  /** Origins discovery reads that need the user's permission (autoconfig.<domain>, <domain>). */
  origins: string[];
}

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

/** `https://host/*` for a URL: the pattern chrome.permissions speaks. */
export function originPattern(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}/*`;
  } catch {
    return null;
  }
}

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
  const [helper, { step }] = await Promise.all([helperStatus(deps), startDiscovery(core, address)]);
  if (step.kind === "failed") failedStep(step);
  if (step.kind === "found") return { helper, admin: step, origins: [] };
  // The first request goes to autoconfig.<domain>; the second to <domain>/.well-known.
  const first = new URL(step.request.url);
  const domain = first.hostname.replace(/^autoconfig\./, "");
  const origins = [originPattern(first.href), `https://${domain}/*`].filter((o): o is string => o !== null);
  return { helper, admin: null, origins: [...new Set(origins)] };
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
    const origin = originPattern(step.request.url);
    const allowed = origin !== null && (await deps.hasOrigin(origin).catch(() => false));
    const outcome: Outcome = allowed ? await deps.fetchOutcome(step.request) : { kind: "transport", failure: "network" };
    ({ discovery, step } = core.mailDiscoveryResume(discovery, outcome));
  }
  if (step.kind === "failed") failedStep(step);
  return step;
}

type Which = "imap" | "smtp";

const SERVER_NAMES: Record<Which, string> = { imap: "incoming mail (IMAP) server", smtp: "outgoing mail (SMTP) server" };

/** The helper's error codes (bridge/README.md) in words, with what to do. */
export function describeCheckError(which: Which, host: string, port: number, error: BridgeError): UserError {
  const server = SERVER_NAMES[which];
  const at = `${host} on port ${port}`;
  const words: Record<string, [string, string]> = {
    bridgeMissing: ["bridgeMissing", error.message],
    hostNotFound: ["hostNotFound", `The ${server} name ${host} was not found. Check the server name under Advanced options.`],
    connectFailed: [
      "connectFailed",
      `Inlay couldn't reach the ${server} at ${at}. Check the server name and port under Advanced options.`,
    ],
    timeout: [
      "timeout",
      `The ${server} at ${at} didn't answer in time. Check the port and the security (SSL/TLS or STARTTLS) under Advanced options, or try again later.`,
    ],
    tlsFailed: [
      "tlsFailed",
      `Inlay couldn't make a secure connection to the ${server} at ${at}: its certificate isn't trusted or the security setting doesn't match the port (${error.message}). Check the security setting; if your server uses its own certificate and you trust this network, tick "Trust any certificate".`,
    ],
    starttlsUnavailable: [
      "starttlsUnavailable",
      `The ${server} at ${at} doesn't offer STARTTLS, so Inlay won't send your password there. Choose SSL/TLS (usually port ${which === "imap" ? 993 : 465}) under Advanced options.`,
    ],
    wrongPassword: [
      "wrongPassword",
      `The ${server} refused the username or password. Check them${which === "smtp" ? " (outgoing mail may need its own credentials: untick \"Outgoing mail uses the same credentials as incoming\")" : ""}; some providers need an app password instead of your usual one.`,
    ],
    loginDisabled: [
      "loginDisabled",
      `The ${server} at ${at} doesn't allow signing in with a password on this connection. Use SSL/TLS, or ask your provider to allow IMAP access.`,
    ],
    authUnsupported: [
      "authUnsupported",
      `The ${server} at ${at} offers no sign-in method Inlay can use with a password. Check the port (587 or 465 for outgoing mail) or ask your provider.`,
    ],
    protocolError: [
      "protocolError",
      `The ${server} at ${at} answered in a way Inlay didn't understand; it may not be ${which === "imap" ? "an IMAP" : "an SMTP"} server. Check the server name and port.`,
    ],
    notImplemented: [
      "bridgeOutdated",
      "Your Inlay mail helper is too old for this. Install the latest inlay-bridge (`inlay-bridge install`), then try again.",
    ],
  };
  const [code, message] = words[error.code] ?? [error.code, `The ${server} check failed: ${error.message}`];
  return new UserError(code, message);
}

interface CheckArgs {
  host: string;
  port: number;
  security: string;
  username: string;
  password: string;
  trustAnyCertificate: boolean;
}

async function check(deps: Deps, which: Which, args: CheckArgs): Promise<void> {
  try {
    await deps.bridge().request(which === "imap" ? "imapCheck" : "smtpCheck", { ...args });
  } catch (e) {
    if (e instanceof BridgeError) throw describeCheckError(which, args.host, args.port, e);
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
    const server = (which: Which, password: string): CheckArgs => ({
      host: settings[which].host,
      port: settings[which].port,
      security: settings[which].security,
      username: settings[which].username,
      password,
      trustAnyCertificate,
    });
    await check(deps, "imap", server("imap", request.password));
    const smtpPassword = settings.sameCredentials ? request.password : request.smtpPassword;
    if (!smtpPassword) throw new UserError("invalidSettings", "Outgoing (SMTP) password: is required.");
    await check(deps, "smtp", server("smtp", smtpPassword));
    return {
      displayName: null,
      server: { kind: "imap", settings, trustAnyCertificate, appendToSent: core.mailSentCopyNeeded(settings) },
      secrets: settings.sameCredentials ? { password: request.password } : { password: request.password, smtpPassword },
    };
  });
}

export type CheckOutcome = "ok" | "needsReauthentication" | "later" | "failed";

/** "Check connection" for an IMAP inbox: an IMAP login with the stored password. */
export async function checkImapAccount(core: CoreApi, account: Account, deps: Deps = defaults): Promise<CheckOutcome> {
  const server = account.server;
  if (server?.kind !== "imap") return "failed";
  const secrets = await store.getSecrets(account.address);
  if (!secrets?.password) return "failed";
  const imap = server.settings.imap;
  try {
    await deps.bridge().request("imapCheck", {
      host: imap.host,
      port: imap.port,
      security: imap.security,
      username: imap.username,
      password: secrets.password,
      trustAnyCertificate: server.trustAnyCertificate,
    });
    return "ok";
  } catch (e) {
    if (e instanceof BridgeError && e.code === "wrongPassword") {
      const words = describeCheckError("imap", imap.host, imap.port, e);
      await markNeedsReauthentication(core, account.address, "wrongPassword", words.message);
      return "needsReauthentication";
    }
    // Unreachable server, helper missing: say nothing is wrong with the password; try again later.
    return e instanceof BridgeError && ["connectFailed", "timeout", "bridgeMissing", "bridgeTimeout", "hostNotFound"].includes(e.code)
      ? "later"
      : "failed";
  }
}
