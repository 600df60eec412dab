// Loads the Rust/WASM core once per service-worker lifetime.
import init, * as wasm from "../../../../build/wasm/inlay_wasm.js";
import type { WorkerCore } from "./types.js";

/**
 * The bindings as the worker calls them. wasm-bindgen declares every value
 * crossing as JsValue `any`; types.ts gives each binding its generated Rust
 * types, and this assignment has tsc check that every one exists with
 * matching plain parameters (strings, numbers, byte arrays).
 */
export type Core = WorkerCore;

let loading: Promise<Core> | undefined;

/** The initialised core; concurrent callers share one instantiation. */
export function loadCore(): Promise<Core> {
  loading ??= init({ module_or_path: chrome.runtime.getURL("wasm/inlay_wasm_bg.wasm") }).then((): Core => wasm);
  return loading;
}
