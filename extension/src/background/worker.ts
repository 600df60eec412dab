// The service worker: owns the core, the tokens and storage. Every listener
// is registered synchronously at top level (MV3 requirement); the core is
// awaited inside handlers, never at top level.
import { checkAccount, checkAll } from "./connect/checks.js";
import { detect, disclosure } from "./connect/detect.js";
import { disconnect } from "./connect/disconnect.js";
import * as exchange from "./connect/exchange.js";
import * as imap from "./connect/imap.js";
import { listAccounts, recoverInterrupted, setAutomation } from "./connect/inboxState.js";
import { featureDisclosure, setFeature } from "./connect/features.js";
import * as oauth from "./connect/oauthConnect.js";
import { cancelPasswordConnect } from "./connect/passwordConnect.js";
import { loadCore, loadStart } from "./core/loader.js";
import { crmHandlers, logSentEmail, purgeCrm } from "./crm/handlers.js";
import type { WorkerCore } from "./core/types.js";
import { callerOf, route, type Handler, type Handlers } from "./router.js";
import { OUTBOX_ALARM, overdue } from "./send/alarms.js";
import { onSent, runOutbox, sendHandlers } from "./send/handlers.js";
import { lockSession } from "./state/session.js";
import { policyStatus } from "./state/settings.js";

// A wake-up loads only the start module (validation, ping) at once. The whole
// core (the connect module) is read when a handler or an alarm first needs it:
// read at once, its compilation took the worker's CPU while a ping waited.
const start = loadStart();
// Inboxes left mid-flow by a stopped worker are restored before any handler
// runs (the store opens once the core is loaded: it keys records by the core's
// mailbox id); a ping or a refused message, which touch no inbox, are answered
// without waiting for it.
let recovered: Promise<unknown> | undefined;
const recovery = () => (recovered ??= recoverInterrupted(whole()).catch(() => undefined));
/** The core once inboxes are restored: what handlers and alarms run on. */
const ready = () => recovery().then(whole);
lockSession();
// A sent email goes on its recipients' timelines (the CRM logs it once, by Message-ID).
onSent(logSentEmail);

let wholeCore: Promise<WorkerCore> | undefined;
/**
 * The whole core, and once, what only handlers use: the Exchange probe's
 * redirect listener (registering it took ~2 ms of a wake-up's thread; no
 * probe runs before a handler does).
 */
function whole(): Promise<WorkerCore> {
  wholeCore ??= loadCore().then((core) => {
    exchange.listenForProbeRedirects();
    return core;
  });
  return wholeCore;
}

const CHECK_ALARM = "check-accounts";

/** Each handler first waits for the restore: every one reads or changes inbox state. */
function afterRecovery<T extends object>(table: T): T {
  const gated = (handler: Handler): Handler => async (request) => {
    await recovery();
    return handler(request);
  };
  return Object.fromEntries(Object.entries(table).map(([type, handler]: [string, Handler]) => [type, gated(handler)])) as T;
}

function handlers(core: WorkerCore): Handlers {
  // An empty user name means "not given".
  const optional = (v: string | null | undefined) => v || null;
  return {
    extensionPage: afterRecovery({
      listAccounts: () => listAccounts(core),
      policyStatus: () => policyStatus(),
      detect: (r) => detect(core, r.address),
      disclosure: (r) => disclosure(core, r.connect, r.automation),
      connect: (r) => oauth.connect(core, r.address, r.connect, r.automation),
      cancelConnect: (r) => {
        exchange.cancel(r.address);
        cancelPasswordConnect(r.address);
        return oauth.cancelConnect(core, r.address);
      },
      reconnect: (r) => oauth.reconnect(core, r.address),
      disconnect: (r) => disconnect(core, r.address),
      setAutomation: (r) => setAutomation(core, r.address, r.on),
      featureDisclosure: (r) => featureDisclosure(core, r.address, r.feature),
      setFeature: (r) => setFeature(core, r.address, r.feature, r.on),
      checkAccount: (r) => checkAccount(core, r.address),
      exchangeDiscover: (r) => exchange.discover(core, r.address, r.password, optional(r.username)),
      exchangeResume: (r) => exchange.resume(core, r.address, r.answer),
      exchangeConnect: (r) =>
        exchange.connect(core, {
          address: r.address,
          password: r.password,
          username: optional(r.username),
          ewsUrl: r.ewsUrl,
          automation: r.automation,
        }),
      imapStart: (r) => imap.start(core, r.address),
      imapDiscover: (r) => imap.discover(core, r.address),
      imapConnect: (r) => imap.connect(core, r),
      imapDismissNotice: (r) => imap.dismissNotice(r.address),
      ...crmHandlers,
      ...sendHandlers(core),
    }),
    // Content scripts get nothing beyond ping until an adapter needs it.
    contentScript: {},
  };
}

// The handlers once the whole core is in, asked for by the router after it
// answers a ping; a failed load is answered per message.
let table: Promise<Handlers> | undefined;
const handlerTable = () => (table ??= whole().then(handlers));

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  const caller = callerOf(sender, chrome.runtime.id);
  if (!caller) {
    sendResponse({ ok: false, error: { code: "forbidden", message: "unknown sender" } });
    return false;
  }
  start
    .then((s) => route(s, handlerTable, caller, message))
    .then(sendResponse)
    .catch((e: unknown) =>
      sendResponse({ ok: false, error: { code: "coreUnavailable", message: `Inlay's core failed to start: ${String(e)}` } }),
    );
  return true; // the reply is sent asynchronously
});

// No other extension or web page may talk to the worker.
chrome.runtime.onMessageExternal.addListener((_message, _sender, sendResponse) => {
  sendResponse({ ok: false, error: { code: "forbidden", message: "external messages are not accepted" } });
  return false;
});

// Connections are checked every 30 minutes (alarms survive worker restarts).
chrome.runtime.onInstalled.addListener(() => void chrome.alarms.create(CHECK_ALARM, { periodInMinutes: 30 }));
chrome.runtime.onStartup.addListener(() => void chrome.alarms.create(CHECK_ALARM, { periodInMinutes: 30 }));
// Catch-up: a browser start, or a wake-up whose outbox alarm is past its time (the browser was closed, or a
// worker stopped mid-send), runs what is due; the alarm is read without loading the core.
chrome.runtime.onStartup.addListener(() => void ready().then(runOutbox));
void overdue(Date.now()).then((late) => (late ? ready().then(runOutbox) : undefined), () => undefined);
chrome.alarms.onAlarm.addListener((alarm) => {
  // Scheduled sends, retries and lookups (the outbox store says which are due).
  if (alarm.name === OUTBOX_ALARM) void ready().then(runOutbox);
  if (alarm.name !== CHECK_ALARM) return;
  void ready().then(checkAll);
  // Old trash and forgotten staged imports go on the same alarm.
  void ready().then(purgeCrm).catch(() => undefined);
});
