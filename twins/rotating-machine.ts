import type { Rng } from '../sim';
import type { FaultConfig, RotatingMachineConfig } from './machine-config';
import { rampSeverity } from './severity';

/** Standard gravity, m/s² (ISO 80000-3), to express acceleration in g. */
export const STANDARD_GRAVITY = 9.80665;

/**
 * Vibration twin of a rotating machine. Platform-free: produces sample blocks, knows nothing of MQTT.
 * Signal: 1× shaft-rate sinusoid from unbalance plus white sensor noise.
 */
export class RotatingMachine {
  readonly config: RotatingMachineConfig;
  readonly #faults: readonly FaultConfig[];
  readonly #noise: Rng;
  /** Shaft angle, rad, carried across blocks so the waveform is continuous. */
  #phaseRad: number;

  constructor(config: RotatingMachineConfig, faults: readonly FaultConfig[], rng: { rotor: Rng; noise: Rng }) {
    this.config = config;
    this.#faults = faults.filter((f) => f.device === config.id);
    this.#noise = rng.noise;
    this.#phaseRad = 2 * Math.PI * rng.rotor.next();
  }

  /** Shaft angular speed, rad/s. */
  get omegaRadS(): number {
    return (2 * Math.PI * this.config.speedRpm) / 60;
  }

  /** Total unbalance at `tS` seconds into the run, kg·m. */
  unbalanceKgM(tS: number): number {
    let gmm = this.config.residualUnbalanceGmm;
    for (const fault of this.#faults) {
      if (fault.type === 'imbalance') gmm += fault.unbalanceGmm * rampSeverity(tS, fault.atS, fault.rampS);
    }
    return gmm * 1e-6;
  }

  /** Peak housing acceleration from unbalance at `tS`, in g. */
  imbalanceAmplitudeG(tS: number): number {
    // a = U·ω²/M: the centrifugal force U·ω² accelerating the mounted mass (rigid mount, above its resonance)
    return (this.unbalanceKgM(tS) * this.omegaRadS ** 2) / this.config.massKg / STANDARD_GRAVITY;
  }

  /** Fills the next block of acceleration samples (g) starting at `startS` seconds into the run. */
  nextBlock(startS: number): Float32Array {
    const { rateHz, blockSamples, noiseRmsG } = this.config.sensor;
    const out = new Float32Array(blockSamples);
    const dPhase = this.omegaRadS / rateHz;
    // Amplitude changes slowly (seconds); evaluate it at block start and end and interpolate.
    const a0 = this.imbalanceAmplitudeG(startS);
    const a1 = this.imbalanceAmplitudeG(startS + blockSamples / rateHz);
    // Rotate (sin, cos) by dPhase each sample: sin(θ+δ) = sin θ·cos δ + cos θ·sin δ. Re-seeded from the exact
    // phase every block, so rounding never accumulates beyond one block.
    let sin = Math.sin(this.#phaseRad);
    let cos = Math.cos(this.#phaseRad);
    const sinStep = Math.sin(dPhase);
    const cosStep = Math.cos(dPhase);
    for (let i = 0; i < blockSamples; i++) {
      const amplitude = a0 + ((a1 - a0) * i) / blockSamples;
      out[i] = amplitude * sin + noiseRmsG * this.#noise.normal();
      const nextSin = sin * cosStep + cos * sinStep;
      cos = cos * cosStep - sin * sinStep;
      sin = nextSin;
    }
    this.#phaseRad += dPhase * blockSamples;
    this.#phaseRad %= 2 * Math.PI;
    return out;
  }
}
