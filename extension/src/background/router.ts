// Routes validated requests to their handlers. The core decides what is a
// valid request for which caller; this file only dispatches.
import type { Reply, RpcError } from "../shared/messages.js";

export type CallerKind = "contentScript" | "extensionPage";

/** The part of the core the router needs (kept narrow for tests). */
export interface Validator {
  parseRequest(caller: string, json: string): unknown;
  version(): string;
}

interface ValidatedRequest {
  caller: CallerKind;
  request: { type: string };
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

function isRpcError(e: unknown): e is RpcError {
  return typeof e === "object" && e !== null && typeof (e as RpcError).code === "string";
}

/** Validates `message` through the core and runs the matching handler. */
export function route(core: Validator, caller: CallerKind, message: unknown): Reply<unknown> {
  let json: string;
  try {
    json = JSON.stringify(message) ?? "";
  } catch {
    return { ok: false, error: { code: "invalidMessage", message: "message refused: not serialisable" } };
  }
  let validated: ValidatedRequest;
  try {
    validated = core.parseRequest(caller, json) as ValidatedRequest;
  } catch (e) {
    const error = isRpcError(e) ? { code: e.code, message: e.message } : { code: "invalidMessage", message: String(e) };
    return { ok: false, error };
  }
  switch (validated.request.type) {
    case "ping":
      return { ok: true, value: { core: core.version() } };
    default:
      return { ok: false, error: { code: "unhandled", message: `no handler for ${validated.request.type}` } };
  }
}
