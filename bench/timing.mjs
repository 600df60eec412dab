// Timed loops. Every contender runs through the same loop, one operation at a time
// (sequential, as an extension's service worker would parse a fetched message).
import { summarize } from './stats.mjs';

const now = process.hrtime.bigint;

// Sync results (the WASM core) are used as they are: only a real promise is awaited
// (inline, not through a helper that would itself be async), so the core is not
// charged for a microtask hop it would never take in use.

/**
 * Parses every message once. Returns the summary, the failures, and each message's
 * subject for the agreement check (read after its latency is taken; null if it failed).
 */
export async function timeParse(contender, messages, bytes) {
  const n = messages.length;
  const latNs = new Float64Array(n);
  const subjects = new Array(n);
  const errors = [];
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const s = now();
    let result;
    let ok = true;
    try {
      result = contender.parse(messages[i]);
      if (result instanceof Promise) result = await result;
    } catch (e) {
      ok = false;
      errors.push({ name: messages[i].name, error: String(e?.message ?? e).slice(0, 200) });
    }
    latNs[i] = Number(now() - s);
    // null marks a failed parse; a message without a Subject gives ''.
    subjects[i] = ok ? (contender.subject(result) ?? '') : null;
  }
  const wallNs = Number(now() - t0);
  return { summary: { ...summarize({ latNs, wallNs, bytes }), failed: errors.length }, errors, subjects };
}

/** Builds the fixture message `iterations` times. */
export async function timeBuild(contender, iterations) {
  const latNs = new Float64Array(iterations);
  let outBytes = 0;
  const t0 = now();
  for (let i = 0; i < iterations; i++) {
    const s = now();
    let out = contender.build();
    if (out instanceof Promise) out = await out;
    latNs[i] = Number(now() - s);
    outBytes = out.byteLength;
  }
  const wallNs = Number(now() - t0);
  return { ...summarize({ latNs, wallNs }), outputBytes: outBytes };
}

/**
 * Runs `task(contender)` for `rounds` rounds. The order rotates each round so no
 * contender always runs first (cold caches) or last (a heap left by the others);
 * the heap is collected before every run when --expose-gc is on.
 * Returns, per contender name, the list of per-round results.
 */
export async function runRounds(contenders, rounds, task) {
  const results = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length];
      collectGarbage();
      results[c.name].push(await task(c));
    }
  }
  return results;
}

export function collectGarbage() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc(); // second pass frees what the first one's finalizers released
  }
}
