import seedrandom from 'seedrandom';

/** Standard normal CDF, Φ(x) = ½·(1 + erf(x/√2)), erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
export function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return 0.5 * (1 + Math.sign(x) * erf);
}

/** Φ⁻¹(p) by bisection on phi. */
export function phiInverse(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (phi(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** `n` draws of N(mean, 1) from a seeded stream (Box–Muller). */
export function normalSample(seed: string, n: number, mean = 0): number[] {
  const next = seedrandom(seed);
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(mean + r * Math.cos(2 * Math.PI * v));
    if (out.length < n) out.push(mean + r * Math.sin(2 * Math.PI * v));
  }
  return out;
}
