// Loads the Rust/WASM core once per service-worker lifetime. The one binding
// crate is built as one module per family of functions (build.sh): a
// wake-up's first answer waits only for `start` (validating messages), and
// the handlers run on `connect` (detection, connect flows, tokens, checks,
// Exchange, IMAP, the store's keys), read when a handler first needs it. The
// CRM's rules are a module of their own (crm), read on the first CRM request;
// sending (the outbox) likewise (send), on the first send request or outbox
// alarm; composing (templates, HTML sanitising, MIME: compose) only when an
// email is saved or sent, so an alarm's wake reads no HTML parser.
import initCompose, * as compose from "../../../../build/wasm/inlay_compose.js";
import initConnect, * as connect from "../../../../build/wasm/inlay_connect.js";
import initCrm, * as crm from "../../../../build/wasm/inlay_crm.js";
import initSend, * as send from "../../../../build/wasm/inlay_send.js";
import initStart, * as start from "../../../../build/wasm/inlay_start.js";
import type { ComposeBinding, CrmBinding, SendBinding, WorkerCore } from "./types.js";

/**
 * The bindings as the worker calls them. wasm-bindgen declares every value
 * crossing as JsValue `any`; types.ts gives each binding its generated Rust
 * types, and the assignments below have tsc check that every one exists
 * with matching plain parameters (strings, numbers, byte arrays).
 */
export type Core = WorkerCore;

/** What every message needs before its handler runs (the start module). */
export type StartCore = Pick<WorkerCore, "parseRequest" | "messageLimit" | "version">;

const wasmUrl = (family: string) => chrome.runtime.getURL(`wasm/inlay_${family}_bg.wasm`);

let starting: Promise<StartCore> | undefined;
let loading: Promise<Core> | undefined;

/** The start module, instantiated at once on a wake-up. */
export function loadStart(): Promise<StartCore> {
  starting ??= initStart({ module_or_path: wasmUrl("start") }).then((): StartCore => start);
  return starting;
}

/**
 * The whole core (the connect module, which has the start module's functions
 * too); it is read once the start module is in, so it does not delay a first
 * answer that needs only validation. Concurrent callers share one
 * instantiation.
 */
export function loadCore(): Promise<Core> {
  loading ??= loadStart()
    .then(() => initConnect({ module_or_path: wasmUrl("connect") }))
    .then((): Core => connect);
  return loading;
}

let crmLoading: Promise<CrmBinding> | undefined;

/**
 * The CRM's rules (the crm module), instantiated on the first CRM request or
 * alarm that needs them, never at wake-up. A failed load is tried again on
 * the next request.
 */
export function loadCrm(): Promise<CrmBinding> {
  crmLoading ??= initCrm({ module_or_path: wasmUrl("crm") })
    .then((): CrmBinding => crm)
    .catch((e: unknown) => {
      crmLoading = undefined;
      throw e;
    });
  return crmLoading;
}

let sendLoading: Promise<SendBinding> | undefined;

/**
 * Sending (the send module: the outbox machine, the providers' send and
 * lookup), instantiated on the first send request or outbox alarm that
 * needs it, never at wake-up.
 * A failed load is tried again on the next request.
 */
export function loadSend(): Promise<SendBinding> {
  sendLoading ??= initSend({ module_or_path: wasmUrl("send") })
    .then((): SendBinding => send)
    .catch((e: unknown) => {
      sendLoading = undefined;
      throw e;
    });
  return sendLoading;
}

let composeLoading: Promise<ComposeBinding> | undefined;

/**
 * Composing (the compose module: templates, HTML sanitising, MIME),
 * instantiated when an email, draft, template or signature is first saved
 * or sent; never on an outbox alarm. A failed load is tried again on the
 * next request.
 */
export function loadCompose(): Promise<ComposeBinding> {
  composeLoading ??= initCompose({ module_or_path: wasmUrl("compose") })
    .then((): ComposeBinding => compose)
    .catch((e: unknown) => {
      composeLoading = undefined;
      throw e;
    });
  return composeLoading;
}
