// Executes the HTTP requests the core plans. It adds nothing and decides
// nothing: the core interprets what comes back, including failures.

// The core's request and response shapes, generated from core/src/http.rs
// and core/src/provider (Outcome).
import type { HttpRequest } from "../core/generated/HttpRequest.js";
import type { HttpResponse } from "../core/generated/HttpResponse.js";
import type { Method } from "../core/generated/Method.js";
import type { Outcome } from "../core/generated/Outcome.js";

export type { HttpRequest, HttpResponse, Method, Outcome };

/** Chrome kills a worker whose fetch takes 30 s; give up first. */
export const DEFAULT_TIMEOUT_MS = 25_000;

/** The raw bytes of a request the core gives as base64 (a Graph upload session's chunk). */
function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Performs `request` with `fetchImpl`, aborting after `timeoutMs`. Never throws. */
export async function execute(
  request: HttpRequest,
  fetchImpl: typeof fetch = fetch,
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): Promise<Outcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.bodyBase64 != null ? fromBase64(request.bodyBase64) : (request.body ?? undefined),
      signal: controller.signal,
      redirect: "manual",
      credentials: "omit",
      cache: "no-store",
    });
    const body = await response.text();
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => headers.push([name.toLowerCase(), value]));
    return { kind: "response", response: { status: response.status, headers, body } };
  } catch {
    // The core only needs to know which kind of failure; fetch's message adds nothing it could use.
    return { kind: "transport", failure: controller.signal.aborted ? "timeout" : "network" };
  } finally {
    clearTimeout(timer);
  }
}
