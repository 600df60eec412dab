// Randomness for the core, which has none of its own.

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A random 32-bit value for backoff jitter. */
export function jitter(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}

/** The random bytes the core's machines take with every call (core/src/machine.rs `RANDOM_BYTES`). */
export const MOMENT_BYTES = 128;

/** Fresh random bytes for one machine call. */
export function momentBytes(): Uint8Array {
  return randomBytes(MOMENT_BYTES);
}
