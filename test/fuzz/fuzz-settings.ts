import type { Parameters } from 'fast-check';

// One place for how hard the fuzz tests push. CI runs them small and on a fixed seed (the whole folder in well under
// 30 s on 2 cores); `npm run fuzz` sets TWINBED_FUZZ=full for the large run. TWINBED_FUZZ_SEED reproduces a run,
// TWINBED_FUZZ_PAYLOADS overrides the payload count of the broker fuzz.

const full = process.env.TWINBED_FUZZ === 'full';

/** The seed every property and payload stream derives from; printed by the large run. */
export const FUZZ_SEED = intFromEnv('TWINBED_FUZZ_SEED') ?? 0x7b1d_2026;

/** True for `npm run fuzz`. */
export const FUZZ_FULL = full;

/** Malformed payloads the broker fuzz sends, split between the gateway and the cloud. */
export const FUZZ_PAYLOADS = intFromEnv('TWINBED_FUZZ_PAYLOADS') ?? (full ? 100_000 : 5_000);

/** fast-check parameters: `ciRuns` in CI, `fullRuns` (default 50×) for the large run; always the fixed seed. */
export function runs<T>(ciRuns: number, fullRuns = ciRuns * 50): Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: full ? fullRuns : ciRuns };
}

/** A test's timeout, ms: what CI needs, scaled for the large run. */
export function timeoutMs(ciMs: number, fullMs = ciMs * 50): number {
  return full ? fullMs : ciMs;
}

function intFromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}
