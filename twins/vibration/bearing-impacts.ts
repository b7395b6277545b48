import type { Rng } from '../../sim';
import { severityAt } from '../severity';
import type { OperatingProfile } from '../operating-profile';
import type { BearingOrders } from '../../protocol';
import type { BearingFault } from './vibration-config';

/** Fraction of the impact that survives outside the load zone; the rest follows the Stribeck load distribution. */
const UNLOADED_FRACTION = 0.15;

/**
 * One localized bearing defect: a train of impacts at the defect frequency (with random slip), each an impulse
 * into the housing resonance. Writes the impulses (the excitation, in g of peak response) into `excitation`.
 */
export class DefectImpacts {
  readonly #fault: BearingFault;
  readonly #order: number;
  readonly #slip: Rng;
  readonly #profile: OperatingProfile;
  /** The cage turns at FTF × shaft speed; a ball carried by it meets the load zone at that rate. */
  readonly #cageOrder: number;
  /** Run time of the next impact, s. */
  #nextS: number;

  constructor(fault: BearingFault, orders: BearingOrders, profile: OperatingProfile, slip: Rng) {
    this.#fault = fault;
    this.#profile = profile;
    this.#slip = slip;
    // A ball defect strikes the inner and the outer race once each per spin: impacts at 2·BSF.
    this.#order = { outer: orders.bpfo, inner: orders.bpfi, ball: 2 * orders.bsf, cage: orders.ftf }[fault.component];
    this.#cageOrder = orders.ftf;
    this.#nextS = fault.atS;
  }

  /** Defect frequency (Hz) at run time tS. */
  frequencyHzAt(tS: number): number {
    return this.#order * this.#profile.shaftHzAt(tS);
  }

  /**
   * Adds the impacts falling in [startS, startS + n/rateHz) to `excitation`. `shaftAngleAt(i)` gives the shaft
   * angle at sample i, for the load-zone modulation of a defect that rotates with the shaft.
   */
  addImpacts(excitation: Float64Array, startS: number, rateHz: number, shaftAngleAt: (i: number) => number): void {
    const n = excitation.length;
    const endS = startS + n / rateHz;
    while (this.#nextS < endS) {
      const tS = this.#nextS;
      const fHz = this.frequencyHzAt(tS);
      // Interval to the next impact: one defect period, jittered by slip (rolling elements skid 1–2%).
      this.#nextS += fHz > 0 ? (1 / fHz) * (1 + (this.#fault.slipPct / 100) * this.#slip.normal()) : 0.1;
      if (tS < startS) continue;
      const severity = severityAt(tS, this.#fault);
      if (severity <= 0) continue;
      const i = Math.min(n - 1, Math.round((tS - startS) * rateHz));
      excitation[i]! += this.#fault.impactG * severity * this.#loadZone(shaftAngleAt(i));
    }
  }

  /**
   * Load-zone modulation: an outer-race defect sits still in the load zone; an inner-race defect turns with the
   * shaft (AM at 1×, sidebands at BPFI ± 1×); a ball or the cage carries the defect round at the cage speed (AM at
   * FTF). Load distribution q(ψ) = (max(0, cos ψ))^1.5 (Stribeck, ball bearings, radial load).
   */
  #loadZone(shaftAngleRad: number): number {
    if (this.#fault.component === 'outer') return 1;
    const psi = this.#fault.component === 'inner' ? shaftAngleRad : shaftAngleRad * this.#cageOrder;
    const c = Math.cos(psi);
    return UNLOADED_FRACTION + (1 - UNLOADED_FRACTION) * (c > 0 ? c * Math.sqrt(c) : 0);
  }
}

/**
 * The housing's structural resonance as a two-pole digital resonator (impulse invariant): each impulse rings as
 * h(t) = e^(−ζωn·t)·sin(ωd·t), ωd = ωn·√(1 − ζ²). State carries across blocks so ringing is continuous.
 */
export class HousingResonance {
  readonly #a1: number;
  readonly #a2: number;
  readonly #gain: number;
  #y1 = 0;
  #y2 = 0;

  constructor(naturalHz: number, dampingRatio: number, rateHz: number) {
    const wn = 2 * Math.PI * naturalHz;
    const wd = wn * Math.sqrt(1 - dampingRatio * dampingRatio);
    const r = Math.exp((-dampingRatio * wn) / rateHz);
    const theta = wd / rateHz;
    // y[n] = 2r·cos θ·y[n−1] − r²·y[n−2] + sin θ·x[n] has impulse response r^n·sin((n+1)θ): peak ≈ 1 per unit impulse
    this.#a1 = 2 * r * Math.cos(theta);
    this.#a2 = r * r;
    this.#gain = Math.sin(theta);
  }

  /** Filters `excitation` and adds the ringing to `out`. */
  ring(excitation: Float64Array, out: Float64Array): void {
    let y1 = this.#y1;
    let y2 = this.#y2;
    const a1 = this.#a1;
    const a2 = this.#a2;
    const gain = this.#gain;
    for (let i = 0; i < out.length; i++) {
      const y = a1 * y1 - a2 * y2 + gain * excitation[i]!;
      out[i]! += y;
      y2 = y1;
      y1 = y;
    }
    this.#y1 = y1;
    this.#y2 = y2;
  }
}
