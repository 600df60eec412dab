// Loads the Rust/WASM core once per service-worker lifetime.
import init, * as wasm from "../../../../build/wasm/inlay_wasm.js";

export type Core = typeof wasm;

let loading: Promise<Core> | undefined;

/** The initialised core; concurrent callers share one instantiation. */
export function loadCore(): Promise<Core> {
  loading ??= init({ module_or_path: chrome.runtime.getURL("wasm/inlay_wasm_bg.wasm") }).then(() => wasm);
  return loading;
}
