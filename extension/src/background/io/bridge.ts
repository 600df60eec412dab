// The worker's side of Inlay's mail helper (bridge/, `inlay-bridge`), a
// native-messaging host: an MV3 extension cannot open TCP sockets, so IMAP
// and SMTP go through it. One port, opened on first use; each request gets an
// id and a timeout; replies over 1 MB arrive as chunks {id, chunk, of, data}
// and are put back together here. Passwords travel only in request bodies on
// this port (never logged, never in errors).

import type { ServerCertificate } from "../../shared/inboxes.js";
import type { HelperCall } from "../core/generated/HelperCall.js";
import type { Input } from "../core/generated/Input.js";

export const HOST_NAME = "com.inlay.bridge";

/** The helper's install guide (bridge/README.md), shipped in the extension by build.sh. */
export const installUrl = () => chrome.runtime.getURL("mail-helper.txt");

/** Default per-request timeout; a helper check takes at most 20 s per step. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * An open native port keeps the service worker (and the helper process)
 * running, so the port closes once nothing has been asked for this long.
 */
export const IDLE_CLOSE_MS = 30_000;

/**
 * A failure of the helper itself or of the request it ran (codes from
 * bridge/README.md, and this port's own: bridgeDisconnected, bridgeTimeout,
 * bridgeClosed). `message` is the detail; the words for the user come from
 * the core (mailHelperError).
 */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The server's certificate, with `untrustedCertificate` and `certificateChanged`. */
    readonly certificate: ServerCertificate | null = null,
  ) {
    super(message);
  }
}

/** The part of chrome.runtime.Port the bridge uses (a fake one in tests). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: BridgeError): void;
  timer: ReturnType<typeof setTimeout>;
  chunks?: string[];
}

type Reply =
  | { id: string | null; ok: true; value: unknown }
  | { id: string | null; ok: false; error: { code: string; message: string; certificate?: ServerCertificate } };

/**
 * A closed port, with chrome.runtime.lastError's message as it is: the core
 * (mailHelperError) tells a missing helper from a crashed one and words it.
 */
export function disconnectError(lastError: string | undefined): BridgeError {
  return new BridgeError("bridgeDisconnected", lastError ?? "");
}

export class Bridge {
  private port: PortLike | null = null;
  private pending = new Map<string, Pending>();
  private next = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly connect: () => PortLike,
    private readonly lastError: () => string | undefined = () => undefined,
    private readonly idleMs = IDLE_CLOSE_MS,
  ) {}

  /** Sends `{id, op, ...args}` and resolves with the reply's value; rejects with a BridgeError. */
  request<T>(op: string, args: Record<string, unknown> = {}, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    clearTimeout(this.idle);
    const port = this.open();
    const id = `r${++this.next}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.closeWhenIdle();
        reject(new BridgeError("bridgeTimeout", ""));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        port.postMessage({ ...args, id, op });
      } catch {
        // postMessage throws once the port is gone; onDisconnect tells why.
        clearTimeout(timer);
        this.pending.delete(id);
        reject(disconnectError(this.lastError()));
      }
    });
  }

  /** Closes the port (the helper exits when its stdin closes). */
  close(): void {
    const port = this.port;
    this.port = null;
    port?.disconnect();
    this.failAll(new BridgeError("bridgeClosed", ""));
  }

  private open(): PortLike {
    if (this.port) return this.port;
    const port = this.connect();
    this.port = port;
    port.onMessage.addListener((message) => this.receive(message));
    port.onDisconnect.addListener(() => {
      // Read lastError here, inside the listener, or Chrome reports it unchecked.
      const error = disconnectError(this.lastError());
      if (this.port === port) this.port = null;
      this.failAll(error);
    });
    return port;
  }

  private failAll(error: BridgeError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(error);
    }
  }

  private closeWhenIdle(): void {
    clearTimeout(this.idle);
    if (this.pending.size === 0 && this.port) this.idle = setTimeout(() => this.close(), this.idleMs);
  }

  private receive(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const m = message as Record<string, unknown>;
    const id = typeof m.id === "string" ? m.id : null;
    if ("chunk" in m) {
      const p = id === null ? undefined : this.pending.get(id);
      if (!p || typeof m.chunk !== "number" || typeof m.of !== "number" || typeof m.data !== "string") return;
      p.chunks ??= [];
      if (m.chunk !== p.chunks.length || m.of < 1 || m.chunk >= m.of) {
        this.settle(id!, p, { id, ok: false, error: { code: "badFrame", message: "the helper's reply arrived out of order" } });
        return;
      }
      p.chunks.push(m.data);
      if (p.chunks.length < m.of) return;
      let whole: Reply;
      try {
        whole = JSON.parse(p.chunks.join("")) as Reply;
      } catch {
        whole = { id, ok: false, error: { code: "badJson", message: "the helper's reply could not be read" } };
      }
      this.settle(id!, p, whole);
      return;
    }
    if (id === null) {
      // A reply without an id is about the stream itself (bad frame): everything in flight fails.
      const error = (m.error ?? {}) as { code?: string; message?: string };
      this.failAll(new BridgeError(error.code ?? "bridgeFailed", error.message ?? ""));
      return;
    }
    const p = this.pending.get(id);
    if (p) this.settle(id, p, m as unknown as Reply);
  }

  private settle(id: string, p: Pending, reply: Reply): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
    this.closeWhenIdle();
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new BridgeError(String(reply.error?.code ?? "bridgeFailed"), String(reply.error?.message ?? ""), reply.error?.certificate ?? null));
  }
}

/** What happened to a machine's helper step (core `machine::Input`). */
export type HelperInput = Extract<Input<never>, { kind: "helperReply" | "helperFailed" }>;

/**
 * Executes a core machine's helper step (core `machine::Step::Helper`): sends
 * the call and hands back the helper's value, or its failure as it came (the
 * core words it and decides what it means).
 */
export async function runHelperCall(bridge: Pick<Bridge, "request">, call: HelperCall): Promise<HelperInput> {
  try {
    return { kind: "helperReply", reply: (await bridge.request<unknown>(call.op, call.args)) ?? null };
  } catch (e) {
    if (!(e instanceof BridgeError)) throw e;
    return { kind: "helperFailed", code: e.code, message: e.message, certificate: e.certificate };
  }
}

let shared: Bridge | undefined;

/** The worker's one bridge, over chrome.runtime.connectNative. */
export function bridge(): Bridge {
  shared ??= new Bridge(
    () => chrome.runtime.connectNative(HOST_NAME) as unknown as PortLike,
    () => chrome.runtime.lastError?.message,
  );
  return shared;
}
