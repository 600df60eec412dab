// Egress check for the e2e run: records the host of every request Chromium
// makes in a browser context (every page, the sign-in windows, and Inlay's
// service worker) and names each host that no feature in
// egress-allowlist.json accounts for. The harness's launchBrowser() starts
// it and close() checks it, so every test file gets it.
import { readFileSync } from "node:fs";

export const ALLOWLIST = JSON.parse(readFileSync(new URL("./egress-allowlist.json", import.meta.url), "utf8"));

/**
 * The allowlist's host patterns as regular expressions. {domain} and
 * {confirmed} stand for the user's hosts, which in this run are the
 * sandbox's test organisations under ALLOWLIST.testDomainSuffix.
 */
function patterns(extensionId) {
  const suffix = ALLOWLIST.testDomainSuffix.replace(/^\./, "").replaceAll(".", "\\.");
  const userHost = `(?:[a-z0-9-]+\\.)*[a-z0-9-]+\\.${suffix}`;
  return ALLOWLIST.features.flatMap(({ feature, hosts }) =>
    hosts.map((host) => {
      const source = host
        .replaceAll(".", "\\.")
        .replace("{extension-id}", extensionId)
        .replace(/\{domain\}|\{confirmed\}/, userHost);
      return { feature, host, re: new RegExp(`^${source}$`) };
    }),
  );
}

/** The allowlist's features that account for `host` (none: not allowed). */
export function featuresFor(host, extensionId) {
  return patterns(extensionId)
    .filter(({ re }) => re.test(host))
    .map(({ feature }) => feature);
}

/** Starts recording `context`'s requests; returns {hosts(), check()}. */
export function recordEgress(context, extensionId) {
  const seen = new Map(); // host -> the first URL seen for it, without its query
  context.on("request", (request) => {
    let url;
    try {
      url = new URL(request.url());
    } catch {
      return;
    }
    // chrome-extension:, chrome:, data:, blob: never leave the browser.
    if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) return;
    if (!seen.has(url.hostname)) seen.set(url.hostname, `${url.origin}${url.pathname}`);
  });
  return {
    hosts: () => [...seen.keys()],
    /** Throws one error naming every host outside the allowlist. */
    check() {
      const outside = [...seen].filter(([host]) => featuresFor(host, extensionId).length === 0);
      if (outside.length === 0) return;
      const list = outside.map(([host, url]) => `${host} (${url})`).join(", ");
      throw new Error(
        `Chromium contacted ${outside.length === 1 ? "a host" : "hosts"} that no feature in tests/e2e/egress-allowlist.json lists: ${list}`,
      );
    },
  };
}
