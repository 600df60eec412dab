// Host permission patterns as people read them: "https://mail.example.com/*"
// is shown as "mail.example.com", each host once (the core may ask for both
// http and https on one host).

/** The distinct host names of match patterns, in order. */
export function hostsOf(patterns: string[]): string[] {
  return [...new Set(patterns.map((p) => p.replace(/^[a-z]+:\/\//, "").replace(/\/\*$/, "")))];
}
