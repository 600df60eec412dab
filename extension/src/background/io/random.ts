// Randomness for the core, which has none of its own.

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A random 32-bit value for backoff jitter. */
export function jitter(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}
