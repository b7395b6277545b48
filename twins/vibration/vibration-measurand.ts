import type { Rng } from '../../sim';
import type { Measurand } from '../channel';
import type { OperatingProfile } from '../operating-profile';
import { severityAt } from '../severity';
import { bearingOrders, type BearingOrders } from '../../protocol';
import type { BearingGeometry } from './bearing-kinematics';
import { DefectImpacts, HousingResonance } from './bearing-impacts';
import { loosenessWaveform, misalignmentWaveform, type ShaftWaveform } from './shaft-waveforms';
import type { MountConfig, ResonanceConfig, VibrationFault } from './vibration-config';
import { STANDARD_GRAVITY } from '../units';


/** Fraction of the coupling offset that reaches the bearing housing as displacement (coupling/shaft stiffness ratio). */
const MISALIGNMENT_TRANSFER = 0.05;

export interface VibrationModelOptions {
  profile: OperatingProfile;
  /** Speed at which looseness amplitudes are specified, rpm. */
  nominalSpeedRpm: number;
  residualUnbalanceGmm: number;
  mount: MountConfig;
  resonance: ResonanceConfig;
  bearing: BearingGeometry;
  /** This machine's vibration faults. */
  faults: readonly VibrationFault[];
  /** `phases`: fixed phases of the shaft components; `slip`: rolling-element slip of bearing defects. */
  rng: { phases: Rng; slip: Rng };
}

/**
 * Housing acceleration (g) of a rotating machine at the bearing: shaft-synchronous components (unbalance 1×
 * through the mount, misalignment 2× with 1× and 3×, looseness harmonics and ½-orders) plus bearing-defect
 * impacts ringing the housing resonance. Speed follows the operating profile and every frequency follows speed.
 */
export class VibrationMeasurand implements Measurand {
  readonly unit = 'g';
  readonly #o: VibrationModelOptions;
  readonly #imbalance: VibrationFault[];
  readonly #misalignment: Extract<VibrationFault, { type: 'misalignment' }>[];
  readonly #looseness: Extract<VibrationFault, { type: 'looseness' }>[];
  readonly #defects: DefectImpacts[];
  readonly #orders: BearingOrders;
  readonly #misalignmentShape: ShaftWaveform;
  readonly #loosenessShape: ShaftWaveform;
  #resonance: HousingResonance | undefined;
  #resonanceRateHz = 0;
  #excitation = new Float64Array(0);
  /** Shaft angle at the start of the next block, rad (kept below 4π, the longest shaft period used). */
  #thetaRad: number;

  constructor(options: VibrationModelOptions) {
    this.#o = options;
    const faults = options.faults;
    this.#imbalance = faults.filter((f) => f.type === 'imbalance');
    this.#misalignment = faults.filter((f) => f.type === 'misalignment');
    this.#looseness = faults.filter((f) => f.type === 'looseness');
    this.#orders = bearingOrders(options.bearing);
    this.#defects = faults.filter((f) => f.type === 'bearing').map((f) => new DefectImpacts(f, this.#orders, options.profile, options.rng.slip));
    // Draw every phase up front in a fixed order, so a machine's signal does not depend on which faults it has.
    this.#thetaRad = 2 * Math.PI * options.rng.phases.next();
    this.#misalignmentShape = misalignmentWaveform(options.rng.phases);
    this.#loosenessShape = loosenessWaveform(options.rng.phases);
  }

  /**
   * Adds a fault at run time (a `fault` command): from its onset on it acts as one on the timeline would, in blocks
   * not yet filled. Its draws (a bearing defect's slip) come after those of the faults before it.
   */
  addFault(fault: VibrationFault): void {
    switch (fault.type) {
      case 'imbalance':
        this.#imbalance.push(fault);
        return;
      case 'misalignment':
        this.#misalignment.push(fault);
        return;
      case 'looseness':
        this.#looseness.push(fault);
        return;
      case 'bearing':
        this.#defects.push(new DefectImpacts(fault, this.#orders, this.#o.profile, this.#o.rng.slip));
        return;
    }
  }

  /** Total unbalance at tS, kg·m. */
  unbalanceKgM(tS: number): number {
    let gmm = this.#o.residualUnbalanceGmm;
    for (const f of this.#imbalance) if (f.type === 'imbalance') gmm += f.unbalanceGmm * severityAt(tS, f);
    return gmm * 1e-6;
  }

  /** Peak 1× housing acceleration from unbalance at tS, g. */
  imbalanceAmplitudeG(tS: number): number {
    const omega = 2 * Math.PI * this.#o.profile.shaftHzAt(tS);
    return ((this.unbalanceKgM(tS) * omega * omega) / this.#o.mount.massKg) * this.#transmissibility(omega) / STANDARD_GRAVITY;
  }

  /** Peak 2× acceleration from misalignment at tS, g. */
  misalignmentAmplitudeG(tS: number): number {
    const omega = 2 * Math.PI * this.#o.profile.shaftHzAt(tS);
    let offsetM = 0;
    for (const f of this.#misalignment) offsetM += f.offsetMm * 1e-3 * severityAt(tS, f);
    // a = (2ω)²·x for a housing displacement x at twice shaft speed
    return (MISALIGNMENT_TRANSFER * offsetM * (2 * omega) ** 2) / STANDARD_GRAVITY;
  }

  /** Peak 1× looseness response at tS, g (scales with ω², like the unbalance force that drives it). */
  loosenessAmplitudeG(tS: number): number {
    const ratio = this.#o.profile.speedRpmAt(tS) / this.#o.nominalSpeedRpm;
    let amplitude = 0;
    for (const f of this.#looseness) amplitude += f.amplitudeG * severityAt(tS, f);
    return amplitude * ratio * ratio;
  }

  /** |a|/(F/M) = r²/√((1 − r²)² + (2ζr)²), r = ω/ωn: a mass on a spring-damper mount driven by a rotating force. */
  #transmissibility(omega: number): number {
    const r = omega / (2 * Math.PI * this.#o.mount.naturalHz);
    const zeta = this.#o.mount.dampingRatio;
    return (r * r) / Math.sqrt((1 - r * r) ** 2 + (2 * zeta * r) ** 2);
  }

  /** Phase lag of the housing behind the unbalance force: φ = atan2(2ζr, 1 − r²). */
  #phaseLag(omega: number): number {
    const r = omega / (2 * Math.PI * this.#o.mount.naturalHz);
    return Math.atan2(2 * this.#o.mount.dampingRatio * r, 1 - r * r);
  }

  fill(out: Float64Array, startS: number, rateHz: number): void {
    const n = out.length;
    const dt = 1 / rateHz;
    const endS = startS + n * dt;
    const profile = this.#o.profile;
    // Speed is linear within a block, so the mean ω integrates the shaft angle exactly at the block's end.
    const omega = Math.PI * (profile.shaftHzAt(startS) + profile.shaftHzAt(endS));
    const dTheta = omega * dt;
    const theta0 = this.#thetaRad;

    // Amplitudes are evaluated at the first and last sample instants (not at the next block's start), so a fault
    // that steps in at a block boundary leaves the block before it untouched.
    const lastS = startS + (n - 1) * dt;
    const imbA = this.imbalanceAmplitudeG(startS);
    const imbStep = n > 1 ? (this.imbalanceAmplitudeG(lastS) - imbA) / (n - 1) : 0;
    // sin(θ − φ) by rotation: sin(x + δ) = sin x·cos δ + cos x·sin δ, re-seeded from the exact angle every block.
    const lag = this.#phaseLag(omega);
    let sin = Math.sin(theta0 - lag);
    let cos = Math.cos(theta0 - lag);
    const sinStep = Math.sin(dTheta);
    const cosStep = Math.cos(dTheta);
    for (let i = 0; i < n; i++) {
      out[i] = (imbA + imbStep * i) * sin;
      const nextSin = sin * cosStep + cos * sinStep;
      cos = cos * cosStep - sin * sinStep;
      sin = nextSin;
    }
    // Only with faults of their kind: a machine without them adds nothing, not 0·shape (NaN at a nominal 0 rpm).
    if (this.#misalignment.length) this.#addShaftWaveform(out, this.#misalignmentShape, this.misalignmentAmplitudeG(startS), this.misalignmentAmplitudeG(lastS), theta0, dTheta);
    if (this.#looseness.length) this.#addShaftWaveform(out, this.#loosenessShape, this.loosenessAmplitudeG(startS), this.loosenessAmplitudeG(lastS), theta0, dTheta);
    if (this.#defects.length) this.#addBearingImpacts(out, startS, rateHz, theta0, dTheta);
    this.#thetaRad = (theta0 + n * dTheta) % (4 * Math.PI);
  }

  /** Adds amplitude·shape(θ), the amplitude linear from a0 at the first sample to a1 at the last. */
  #addShaftWaveform(out: Float64Array, shape: ShaftWaveform, a0: number, a1: number, theta0: number, dTheta: number): void {
    if (a0 === 0 && a1 === 0) return;
    const n = out.length;
    const step = n > 1 ? (a1 - a0) / (n - 1) : 0;
    for (let i = 0; i < n; i++) out[i]! += (a0 + step * i) * shape.at(theta0 + i * dTheta);
  }

  #addBearingImpacts(out: Float64Array, startS: number, rateHz: number, theta0: number, dTheta: number): void {
    if (!this.#resonance || Math.abs(this.#resonanceRateHz - rateHz) > 1e-9 * rateHz) {
      this.#resonance = new HousingResonance(this.#o.resonance.naturalHz, this.#o.resonance.dampingRatio, rateHz);
      this.#resonanceRateHz = rateHz;
    }
    if (this.#excitation.length !== out.length) this.#excitation = new Float64Array(out.length);
    const excitation = this.#excitation;
    excitation.fill(0);
    for (const defect of this.#defects) defect.addImpacts(excitation, startS, rateHz, (i) => theta0 + i * dTheta);
    this.#resonance.ring(excitation, out);
  }
}
