// Shapes of the messages exchanged with the service worker. The worker never
// trusts these types: the core re-validates every message against its schema.

export type Request = { type: "ping" };

export interface RpcError {
  code: string;
  message: string;
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: RpcError };

export interface PingReply {
  core: string;
}

/** Sends a request to the worker and unwraps the reply. */
export async function call<T>(request: Request): Promise<T> {
  const reply = (await chrome.runtime.sendMessage(request)) as Reply<T> | undefined;
  if (!reply) throw new Error("Inlay's background service did not answer. Reload the extension and try again.");
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value;
}
