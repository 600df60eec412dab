// Egress check for the e2e run: records the host of every request Chromium
// makes in a browser context (every page, the sign-in windows, and Inlay's
// service worker) and names each host that no feature in
// egress-allowlist.json accounts for. The harness's launchBrowser() starts
// it and close() checks it, so every test file gets it.
import { appendFileSync, readFileSync } from "node:fs";

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

/** The highest sequence number the sandbox has recorded (0: none). */
async function lastSeq(sandbox) {
  const recorded = await sandbox.control("GET", "/requests");
  return recorded.reduce((max, r) => Math.max(max, r.seq), 0);
}

/**
 * Starts recording `context`'s requests; returns {hosts(), check()}. Two
 * sources: Playwright's request events (pages, visible sign-in windows, the
 * service worker; they also see hosts that resolve nowhere) and the
 * sandbox's own record since now (it also sees launchWebAuthFlow's hidden
 * sign-in window, which Playwright does not).
 */
export async function recordEgress(context, extensionId, sandbox) {
  const seen = new Map(); // host -> the first URL seen for it, without its query
  const note = (host, url) => seen.has(host) || seen.set(host, url);
  context.on("request", (request) => {
    let url;
    try {
      url = new URL(request.url());
    } catch {
      return;
    }
    // chrome-extension:, chrome:, data:, blob: never leave the browser.
    if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) return;
    note(url.hostname, `${url.origin}${url.pathname}`);
  });
  const since = await lastSeq(sandbox);
  return {
    hosts: () => [...seen.keys()],
    /** Throws one error naming every host outside the allowlist. */
    async check() {
      // A test may have cleared the record meanwhile: then only what is left is seen.
      for (const r of await sandbox.control("GET", "/requests")) {
        if (r.seq > since) note(r.host, `https://${r.host}${r.path} (sandbox)`);
      }
      // INLAY_EGRESS_LOG=file appends every host seen, to review the list against the allowlist.
      if (process.env.INLAY_EGRESS_LOG) appendFileSync(process.env.INLAY_EGRESS_LOG, [...seen.keys(), ""].join("\n"));
      const outside = [...seen].filter(([host]) => featuresFor(host, extensionId).length === 0);
      if (outside.length === 0) return;
      const list = outside.map(([host, url]) => `${host} (${url})`).join(", ");
      throw new Error(
        `Chromium contacted ${outside.length === 1 ? "a host" : "hosts"} that no feature in tests/e2e/egress-allowlist.json lists: ${list}`,
      );
    },
  };
}
