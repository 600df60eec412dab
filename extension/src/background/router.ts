// Routes validated requests to their handlers. The core decides what is a
// valid request for which caller (core/src/rpc); this file only dispatches
// and turns failures into replies. The request types are generated from the
// core's schema, so each handler gets its request's fields typed.
import { errorText, type Reply, type RpcError } from "../shared/messages.js";
import type { Caller } from "./core/generated/Caller.js";
import type { ContentRequest } from "./core/generated/ContentRequest.js";
import type { PageRequest } from "./core/generated/PageRequest.js";
import type { Request } from "./core/generated/Request.js";

export type CallerKind = Caller;

/** The part of the core the router needs (kept narrow for tests). */
export interface Validator {
  parseRequest(caller: CallerKind, json: string): Request;
  /** The caller's size limit, and the core's refusal for a message over it. */
  messageLimit(caller: CallerKind): { maxBytes: number; refusal: RpcError };
  version(): string;
}

/** A validated request of either caller: `type` plus the fields the core's schema allows. */
export type Validated = PageRequest | ContentRequest;

export type Handler = (request: Validated) => unknown;

/** One handler per request type the caller may send (ping is the router's own). */
export type HandlerTable<R extends Validated> = {
  [T in Exclude<R["type"], "ping">]?: (request: Extract<R, { type: T }>) => unknown;
};

export interface Handlers {
  extensionPage?: HandlerTable<PageRequest>;
  contentScript?: HandlerTable<ContentRequest>;
}

/**
 * Works out who sent a message. Only our own extension's contexts count;
 * anything else is refused before the message is even parsed.
 */
export function callerOf(sender: chrome.runtime.MessageSender, extensionId: string): CallerKind | null {
  if (sender.id !== extensionId) return null;
  // Our own pages may also sit in a tab, so the origin decides first.
  if (sender.url?.startsWith(`chrome-extension://${extensionId}/`)) return "extensionPage";
  if (sender.tab) return "contentScript";
  return null;
}

function asError(e: unknown): RpcError {
  if (typeof e === "object" && e !== null && typeof (e as RpcError).code === "string") {
    const { code, message } = e as RpcError;
    return { code, message: typeof message === "string" ? message : String(message) };
  }
  return { code: "internal", message: `Something went wrong inside Inlay: ${errorText(e)}` };
}

export const OVER_LIMIT = Symbol("over the limit");

/**
 * `message` as JSON, or OVER_LIMIT as soon as it is certain to be longer than
 * `maxBytes`. Each object key and string is counted before it is copied into
 * the JSON (a UTF-16 length never exceeds the UTF-8 byte count), any other
 * value written as one byte: a lower bound, so a message under the limit is
 * never refused here, and a 50 MB string is refused without being copied.
 */
export function boundedJson(message: unknown, maxBytes: number): string | typeof OVER_LIMIT {
  let budget = maxBytes;
  try {
    return (
      JSON.stringify(message, function (this: unknown, key: string, value: unknown) {
        // Values JSON leaves out cost nothing; array indices are not written.
        if (value === undefined || typeof value === "function" || typeof value === "symbol") return value;
        budget -= (Array.isArray(this) ? 0 : key.length) + (typeof value === "string" ? value.length : 1);
        if (budget < 0) throw OVER_LIMIT;
        return value;
      }) ?? ""
    );
  } catch (e) {
    if (e === OVER_LIMIT) return OVER_LIMIT;
    throw e;
  }
}

/**
 * Validates `message` through the core, then runs the caller's handler for it.
 * `handlers` may be a function giving them: it is called only for a message
 * that needs one (a wake-up's ping does not load the handlers' core).
 */
export async function route(
  core: Validator,
  handlers: Handlers | Promise<Handlers> | (() => Promise<Handlers>),
  caller: CallerKind,
  message: unknown,
): Promise<Reply<unknown>> {
  // The size is checked before the message is serialised and copied into the
  // core's memory (which never shrinks); the core then checks it exactly.
  const limit = core.messageLimit(caller);
  let json: string;
  try {
    const bounded = boundedJson(message, limit.maxBytes);
    if (bounded === OVER_LIMIT) return { ok: false, error: limit.refusal };
    json = bounded;
  } catch {
    return { ok: false, error: { code: "invalidMessage", message: "message refused: not serialisable" } };
  }
  let request: Validated;
  try {
    request = core.parseRequest(caller, json).request;
  } catch (e) {
    return { ok: false, error: asError(e) };
  }
  if (request.type === "ping") return { ok: true, value: { core: core.version() } };
  // The core parsed the request against this caller's schema, so the
  // caller's table holds the handler for exactly this request type.
  // The table may still be loading (the worker answers ping before it).
  const all = await (typeof handlers === "function" ? handlers() : handlers);
  const table = all[caller] as Record<string, Handler | undefined> | undefined;
  const handler = table?.[request.type];
  if (!handler) return { ok: false, error: { code: "unhandled", message: `no handler for ${request.type}` } };
  try {
    return { ok: true, value: (await handler(request)) ?? null };
  } catch (e) {
    return { ok: false, error: asError(e) };
  }
}
