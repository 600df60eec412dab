// Connecting an Exchange (on-premises) inbox. The core plans Autodiscover and
// reads every answer (it sends the password only to a host that asks for it
// with a Basic challenge); this file runs the requests with the step driver,
// which pauses to ask the page for the browser's permission before contacting
// a host the user's domain chose, and for the user's consent (confirmRedirect)
// before anything goes to a host outside that domain, or to the one the HTTP
// probe's redirect named; the page's next message resumes it. Nothing is
// saved until a real EWS call accepts the password.
//
// A discovery's plan holds the password, so it lives only in this worker's
// memory (a handle: its state stays inside the core's module, never in
// storage) and is freed when discovery ends, is cancelled or replaced.
import type { Account, CheckResult, ServerSettings } from "../../shared/inboxes.js";
import {
  InlayError,
  type ExchangeAnswer,
  type ExchangeConnectReply as ConnectReply,
  type ExchangeDiscoverReply as DiscoverReply,
} from "../../shared/messages.js";
import { drive, driveUntil, type Input as MachineInput } from "../core/drive.js";
import type { AutodiscoverAnswer, AutodiscoverMachine, AutodiscoverStep, CoreApi, EwsCheckEnd, ExchangeCore, Outcome } from "../core/types.js";
import { execute, type HttpRequest } from "../io/http.js";
import { hasOrigins as granted } from "../io/permissions.js";
import { momentBytes } from "../io/random.js";
import * as store from "../state/store.js";
import { detect } from "./detect.js";
import { markNeedsReauthentication } from "./inboxState.js";
import { connectWithPassword } from "./passwordConnect.js";
import { refused } from "./refused.js";

interface Discovery {
  plan: AutodiscoverMachine;
  /** The step it paused at, waiting for the page. */
  step: AutodiscoverStep;
  /** Origins asked for in the last needsPermission reply: a refusal is the core's answer for them. */
  asked: string[];
}

const discoveries = new Map<string, Discovery>();

/** Starts Autodiscover for `address`, replacing any unfinished one. */
export async function discover(core: CoreApi & ExchangeCore, address: string, password: string, username: string | null): Promise<DiscoverReply> {
  // Microsoft retired passwords for apps: the core steers its mailboxes to the Microsoft connection.
  const microsoft = core.detectionHostedByMicrosoft(await detect(core, address));
  const plan = new core.AutodiscoverMachine(address, core.passwordUsername(username, address), password, microsoft);
  let step: AutodiscoverStep;
  try {
    step = plan.start(Date.now(), momentBytes());
  } catch (e) {
    plan.free();
    throw e;
  }
  const discovery: Discovery = { plan, step, asked: [] };
  drop(address);
  discoveries.set(store.keyOf(address), discovery);
  return advance(core, address, discovery, step);
}

/** Continues after the page asked the browser for permissions, or the user for consent. */
export async function resume(core: CoreApi & ExchangeCore, address: string, answer: ExchangeAnswer): Promise<DiscoverReply> {
  const discovery = discoveries.get(store.keyOf(address));
  if (!discovery) {
    throw refused(core, { kind: "noDiscovery", address });
  }
  let from = discovery.step;
  if (answer.kind === "permission") {
    // Granted: the paused request is made now. Refused: the core passes those hosts over.
    if (!answer.granted) from = feed(discovery, { kind: "answer", answer: { kind: "notAllowed", origins: discovery.asked } });
  } else {
    if (discovery.step.kind !== "ask") {
      throw refused(core, { kind: "unexpectedAnswer", address });
    }
    from = feed(discovery, { kind: "answer", answer: { kind: "confirmed", accepted: answer.accepted } });
  }
  return advance(core, address, discovery, from);
}

/** Forgets an unfinished discovery (and the password its plan holds). */
export function cancel(address: string): boolean {
  return drop(address);
}

/** Removes the address's discovery and frees its plan. */
function drop(address: string): boolean {
  const key = store.keyOf(address);
  const discovery = discoveries.get(key);
  if (!discovery) return false;
  discoveries.delete(key);
  discovery.plan.free();
  return true;
}

function feed(d: Discovery, input: MachineInput<AutodiscoverAnswer>): AutodiscoverStep {
  return d.plan.resume(input, Date.now(), momentBytes());
}

/** Why the drive paused: the page's reply, which its next message answers. */
type PageQuestion = Extract<DiscoverReply, { kind: "needsPermission" | "confirmRedirect" }>;

/**
 * Runs the plan with the step driver from `from` until the core ends or the
 * page must answer: a request to a host the browser may not reach yet pauses
 * for the browser's permission (for it and every queued host at once), the
 * core's question for the user's consent; the page's next message resumes it.
 */
async function advance(core: CoreApi & ExchangeCore, address: string, d: Discovery, from: AutodiscoverStep): Promise<DiscoverReply> {
  const stops = {
    // Cancelled or replaced meanwhile: its plan is freed.
    wanted: () => discoveries.get(store.keyOf(address)) === d,
    pauseAt: async (step: AutodiscoverStep): Promise<PageQuestion | undefined> => {
      if (step.kind === "ask") return { kind: "confirmRedirect", ...step.question };
      if (step.kind !== "http") return undefined;
      const missing = await notGranted(core, d, step.request.url);
      if (missing.length === 0) return undefined;
      d.asked = missing;
      return { kind: "needsPermission", origins: missing };
    },
  };
  const http = (request: HttpRequest, purpose: string) => (purpose === "redirectProbe" ? probe(request) : execute(request));
  const end = await driveUntil(from, (input: MachineInput<AutodiscoverAnswer>) => feed(d, input), stops, { http });
  switch (end.kind) {
    case "abandoned":
      return { kind: "failed", ...core.refusal({ kind: "cancelled", address }) };
    case "paused":
      d.step = end.step as AutodiscoverStep;
      return end.why;
    case "done":
      drop(address);
      return { kind: "found", ...end.result };
    case "failed":
      drop(address);
      return { kind: "failed", ...end.error };
  }
}

/** The origins to ask for before `url` can be fetched (none: it can be), with every queued candidate's. */
async function notGranted(core: CoreApi & ExchangeCore, d: Discovery, url: string): Promise<string[]> {
  // The core plans only http(s) URLs, so a pattern always exists.
  const pattern = core.hostPattern(url) ?? url;
  if (await granted([pattern])) return [];
  const wanted = d.plan.origins();
  const missing: string[] = [];
  for (const origin of wanted.includes(pattern) ? wanted : [pattern, ...wanted]) {
    if (!(await granted([origin]))) missing.push(origin);
  }
  return missing;
}

type ProbeReport = { status: number; location: string | null };

/** Probes waiting for webRequest's report of their response, by URL. */
const probeReports = new Map<string, (report: ProbeReport) => void>();

/**
 * Registers, at the worker's top level, the webRequest listener the
 * Autodiscover HTTP probe reads its redirect from. Registered once, up front:
 * a listener added just before the fetch could reach the browser after it.
 */
export function listenForProbeRedirects(): void {
  chrome.webRequest.onHeadersReceived.addListener(
    (details): undefined => {
      const location = details.responseHeaders?.find((h) => h.name.toLowerCase() === "location")?.value ?? null;
      probeReports.get(details.url)?.({ status: details.statusCode, location });
      return undefined;
    },
    { urls: ["http://*/autodiscover/autodiscover.xml"] },
    ["responseHeaders"],
  );
}

/** How long the probe waits for webRequest's report after its fetch settled. */
const PROBE_REPORT_WAIT_MS = 3_000;

/**
 * The Autodiscover HTTP probe: an unauthenticated GET whose 301/302 names the
 * real server. A fetch with `redirect: "manual"` hides the redirect (an opaque
 * response with status 0), so the redirect's status and Location come from
 * webRequest, which shows the extension its own requests to hosts it may reach.
 */
async function probe(request: HttpRequest): Promise<Outcome> {
  const report = new Promise<ProbeReport>((resolve) => probeReports.set(request.url, resolve));
  try {
    const outcome = await execute(request);
    if (outcome.kind !== "response") return outcome;
    // webRequest events reach the worker asynchronously, sometimes after fetch has settled.
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), PROBE_REPORT_WAIT_MS));
    const seen = await Promise.race([report, timeout]);
    if (!seen) return outcome;
    const headers: [string, string][] = seen.location ? [["location", seen.location]] : [];
    return { kind: "response", response: { status: seen.status, headers, body: outcome.response.body } };
  } finally {
    probeReports.delete(request.url);
  }
}

/**
 * Checks the password with a real EWS call (GetFolder on the inbox): the
 * core's check machine, run by the step driver (the machine counts its
 * retries and plans each short pause as a wait).
 */
export async function verify(core: ExchangeCore, ewsUrl: string, username: string, password: string): Promise<EwsCheckEnd> {
  // Its state (with the password) stays inside the module (a handle), freed once driven.
  const check = new core.EwsCheckMachine(ewsUrl, username, password);
  try {
    return await drive(check.start(Date.now(), momentBytes()), (input: MachineInput<never>) => check.resume(input, Date.now(), momentBytes()));
  } finally {
    check.free();
  }
}

/** "Is this Exchange inbox still connected?", with the stored password. */
export async function check(core: CoreApi & ExchangeCore, account: Account): Promise<CheckResult> {
  const secrets = await store.getSecrets(account.address);
  if (account.server?.kind !== "exchange" || !secrets?.password) return { outcome: "failed", message: core.passwordMissing().message };
  const end = await verify(core, account.server.ewsUrl, account.server.username, secrets.password);
  if (end.kind === "done") return { outcome: "ok", message: null };
  const { code, message, outcome } = end.error;
  if (outcome === "needsReauthentication") await markNeedsReauthentication(core, account.address, code, message);
  return { outcome, message };
}

export interface ExchangeConnect {
  address: string;
  password: string;
  username: string | null;
  ewsUrl: string;
  automation: boolean;
}

/** Verifies and saves an Exchange inbox, once the browser may reach its server. */
export async function connect(core: CoreApi & ExchangeCore, request: ExchangeConnect): Promise<ConnectReply> {
  const { url, origin } = core.ewsUrlCheck(request.ewsUrl);
  if (!(await granted([origin]))) {
    const ifRefused = core.refusal({ kind: "permissionRefused", address: request.address, origins: [origin] }).message;
    return { kind: "needsPermission", origins: [origin], ifRefused };
  }
  const username = core.passwordUsername(request.username, request.address);
  const account = await connectWithPassword(core, { address: request.address, connect: "exchange", automation: request.automation }, async () => {
    const end = await verify(core, url, username, request.password);
    if (end.kind === "failed") throw new InlayError(end.error.code, end.error.message);
    const server: ServerSettings = { kind: "exchange", ewsUrl: url, username, serverVersion: end.result.build };
    return { displayName: null, server, secrets: { password: request.password } };
  });
  cancel(request.address);
  return { kind: "connected", account };
}
