// Shapes of the messages exchanged with the service worker. The worker never
// trusts these types: the core re-validates every message against its schema
// (core/src/rpc), which is the source of truth for what is allowed and from
// which the request types are generated.

import type { ExchangeAnswer } from "../background/core/generated/ExchangeAnswer.js";
import type { IgnoredSetting } from "../background/core/generated/IgnoredSetting.js";
import type { PageRequest } from "../background/core/generated/PageRequest.js";
import type { RevocationResult } from "../background/core/generated/RevocationResult.js";
import type { RpcError } from "../background/core/generated/RpcError.js";

/** `policyStatus` answers these: a key of the admin's policy that was not applied, in the core's words. */
export type { ExchangeAnswer, IgnoredSetting, RpcError };

/** What a page may ask the worker: the core's schema (core/src/rpc), generated. */
export type Request = PageRequest;

/** `exchangeDiscover` / `exchangeResume`: the next thing the page shows. */
export type ExchangeDiscoverReply =
  | { kind: "confirmRedirect"; host: string; url: string }
  | { kind: "found"; ewsUrl: string; email: string; displayName: string | null; serverVersion: unknown }
  /** `suggestedUrl`: the core's EWS URL to type instead, when typing one can help. */
  | { kind: "failed"; code: string; message: string; suggestedUrl?: string | null }
  | { kind: "needsPermission"; origins: string[] };

/** `connect` (Google, Microsoft): connected, or the person ended the sign-in (the core's `cancelled`), which the pages don't report. */
export type ConnectReply = { kind: "connected"; account: import("./inboxes.js").Account } | { kind: "cancelled" };

/** `exchangeConnect`. */
/** `ifRefused`: the core's sentence to show if the user refuses the browser's permission. */
export type ExchangeConnectReply =
  | { kind: "connected"; account: import("./inboxes.js").Account }
  | { kind: "needsPermission"; origins: string[]; ifRefused: string };

/**
 * `imapConnect`: connected, or a certificate the helper couldn't verify (or
 * one that differs from the pinned one), for the user to review. Nothing was
 * stored and no password reached that server.
 */
export type ImapConnectReply =
  | { kind: "connected"; account: import("./inboxes.js").Account }
  | { kind: "reviewCertificate"; server: "imap" | "smtp"; host: string; message: string; certificate: import("./inboxes.js").ServerCertificate };

/** `imapDiscover`, and an admin's settings in `imapStart`: the core's discovery result (core/src/mailconfig `Step::Found`). */
export interface FoundSettings {
  kind: "found";
  settings: import("./inboxes.js").MailSettings;
  alternatives: import("./inboxes.js").MailSettings[];
  source: "admin" | "domainAutoconfig" | "ispdb" | "mxIspdb" | "guess";
  confidence: "low" | "medium" | "high";
  evidence: string[];
}

export type HelperStatus = { installed: true; version: string } | { installed: false; message: string; installUrl: string };

/** `imapStart`. */
export interface ImapStartReply {
  helper: HelperStatus;
  /** Settings the admin configured for the address's domain, if any. */
  admin: FoundSettings | null;
  /** Origins discovery reads that need the user's permission (autoconfig.<domain>, <domain>). */
  origins: string[];
  /** The most common servers for the address, to start the form filled in by hand. */
  usual: import("./inboxes.js").MailSettings | null;
}

/** The answer to "disconnect": the core's `RevocationResult` (whether the provider confirmed, what the user still has to do). */
export type DisconnectResult = RevocationResult;

export type Reply<T> = { ok: true; value: T } | { ok: false; error: RpcError };

export interface PingReply {
  core: string;
}

/**
 * Inlay's one error: a stable code and words for the user. The worker throws
 * it (the router passes both on), and the pages get it back from `call`.
 */
export class InlayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The words of anything thrown: an Error's message (the worker's own sentence for an InlayError). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Chrome's words when no listener took the message: the worker was between stopping and starting again. */
const NOT_LISTENING = "Receiving end does not exist";
const DELIVERY_ATTEMPTS = 4;

/**
 * Sends a message, again after a pause while the worker is not listening yet (a worker stopped a moment before,
 * by Chrome or a debugger, can refuse the first delivery while it starts again). Only an undelivered message is
 * sent again: no listener saw it, so nothing it asks for can happen twice.
 */
async function deliver(request: Request): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await chrome.runtime.sendMessage(request);
    } catch (e) {
      if (attempt >= DELIVERY_ATTEMPTS || !errorText(e).includes(NOT_LISTENING)) throw e;
      await new Promise((r) => setTimeout(r, 150 * attempt));
    }
  }
}

/** Sends a request to the worker and unwraps the reply. */
export async function call<T>(request: Request): Promise<T> {
  const reply = (await deliver(request)) as Reply<T> | undefined;
  if (!reply) {
    throw new InlayError("noReply", "Inlay's background service did not answer. Reload the extension and try again.");
  }
  if (!reply.ok) throw new InlayError(reply.error.code, reply.error.message);
  return reply.value;
}
