// The service worker: owns the core, the tokens and storage. Every listener
// is registered synchronously at top level (MV3 requirement); the core is
// awaited inside handlers, never at top level.
import { loadCore } from "./core.js";
import { callerOf, route } from "./router.js";

const ready = loadCore();

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  const caller = callerOf(sender, chrome.runtime.id);
  if (!caller) {
    sendResponse({ ok: false, error: { code: "forbidden", message: "unknown sender" } });
    return false;
  }
  ready
    .then((core) => sendResponse(route(core, caller, message)))
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

