import type { Rng } from '../../sim';
import type { Measurand } from '../channel';
import { DailyClimate } from './daily-climate';
import { HermiteHistory } from './hermite-history';
import { HumidityProcess } from './humidity';
import type { ThermalConfig } from './thermal-config';
import { checkedDriver, type ThermalDrivers } from './thermal-drivers';
import { ThermalError } from './thermal-error';

export interface ThermalNetworkOptions {
  /** Stream for the humidity's slow variation, owned by this network alone (e.g. `pump-1/humidity`). */
  rng: Rng;
  /** Local hour of day at run time 0, h in [0, 24). Default 0 (the run starts at midnight). */
  startHourOfDay?: number;
  /** Longest internal integration step, s. Default 1; shortened to a tenth of the fastest node's time constant. */
  maxStepS?: number;
  /** How far, s, a reader may lag behind the furthest-ahead reader of the same network. Default 600. */
  historyS?: number;
}

// Node order in the state vector.
const WINDING = 0;
const HOUSING = 1;
const BEARING = 2;

/** RK4 substep limit h·ρ ≤ 0.2 with ρ ≤ 2/τ_node (Gershgorin): h ≤ τ_node/10, local error (h/τ)⁵/120 ≈ 1e-7 of the transient. */
const MAX_STEP_TIMES_RATE = 0.2;

/**
 * Lumped RC thermal network of a motor-driven machine: winding → housing → ambient, bearing → housing.
 * Each node obeys C·dT/dt = P − Σ (T − T_neighbour)/R. Electrical loss P_e = P_rated·load² heats the winding, friction
 * P_f = P_friction·frictionFactor heats the bearing, and the housing → ambient conductance scales with coolingFactor.
 *
 * Integration: RK4 on a fixed grid (≤ maxStepS), drivers sampled at each step's midpoint and held, ambient evaluated at
 * every stage. The last `historyS` seconds stay in a ring buffer, read back by cubic Hermite interpolation, so any
 * number of readers see the same values at the same instants. Platform-free.
 */
export class ThermalNetwork {
  readonly config: ThermalConfig;
  /** Internal grid step, s. */
  readonly stepS: number;
  /** Stator winding temperature, °C. */
  readonly winding: Measurand;
  /** Housing (frame) temperature, °C. */
  readonly housing: Measurand;
  /** Bearing outer-ring temperature, °C. */
  readonly bearing: Measurand;
  /** Ambient air temperature, °C: the daily sinusoid. */
  readonly ambient: Measurand;
  /** Ambient relative humidity, %RH. */
  readonly humidity: Measurand;

  readonly #drivers: ThermalDrivers;
  readonly #climate: DailyClimate;
  readonly #history: HermiteHistory;
  readonly #gWindingHousing: number;
  readonly #gBearingHousing: number;
  readonly #gHousingAmbient: number;
  readonly #invCw: number;
  readonly #invCh: number;
  readonly #invCb: number;
  // State and RK4 scratch vectors, reused on every step.
  readonly #x = new Float64Array(3);
  readonly #k1 = new Float64Array(3);
  readonly #k2 = new Float64Array(3);
  readonly #k3 = new Float64Array(3);
  readonly #k4 = new Float64Array(3);
  readonly #slopeStart = new Float64Array(3);
  readonly #slopeEnd = new Float64Array(3);
  // Drivers held over the current step.
  #lossW = 0;
  #frictionW = 0;
  #gAmbient = Number.NaN;
  /** RK4 substeps per grid step for the held coolingFactor. */
  #substeps = 1;
  /** Ambient at the newest grid point, °C: the first stage of the next step. */
  #ambientAtNewestC = 0;

  constructor(config: ThermalConfig, drivers: ThermalDrivers, options: ThermalNetworkOptions) {
    const { startHourOfDay = 0, maxStepS = 1, historyS = 600 } = options;
    checkOption('startHourOfDay', startHourOfDay, startHourOfDay >= 0 && startHourOfDay < 24, 'an hour in [0, 24)');
    checkOption('maxStepS', maxStepS, maxStepS > 0, 'a positive number of seconds');
    checkOption('historyS', historyS, historyS >= 0, 'a number of seconds ≥ 0');

    this.config = config;
    this.#drivers = drivers;
    this.#climate = new DailyClimate(config, startHourOfDay);
    this.#gWindingHousing = 1 / config.windingToHousingKPerW;
    this.#gBearingHousing = 1 / config.bearingToHousingKPerW;
    this.#gHousingAmbient = 1 / config.housingToAmbientKPerW;
    this.#invCw = 1 / config.windingCapacityJPerK;
    this.#invCh = 1 / config.housingCapacityJPerK;
    this.#invCb = 1 / config.bearingCapacityJPerK;
    this.stepS = Math.min(maxStepS, MAX_STEP_TIMES_RATE / this.#rateBound(this.#gHousingAmbient));
    this.#history = new HermiteHistory(3, this.stepS, historyS);
    this.#startAtSteadyState();

    this.winding = this.#nodeMeasurand(WINDING);
    this.housing = this.#nodeMeasurand(HOUSING);
    this.bearing = this.#nodeMeasurand(BEARING);
    const climate = this.#climate;
    this.ambient = {
      unit: 'degC',
      fill(out, startS, rateHz) {
        for (let i = 0; i < out.length; i++) out[i] = climate.tempC(startS + i / rateHz);
      },
    };
    this.humidity = new HumidityProcess(config, climate, options.rng, historyS);
  }

  /** Bound on the spectral radius of the network's matrix, 1/s (Gershgorin: ρ ≤ max_i 2·ΣG_i/C_i). */
  #rateBound(gAmbient: number): number {
    const c = this.config;
    return Math.max(
      (2 * this.#gWindingHousing) / c.windingCapacityJPerK,
      (2 * (this.#gWindingHousing + this.#gBearingHousing + gAmbient)) / c.housingCapacityJPerK,
      (2 * this.#gBearingHousing) / c.bearingCapacityJPerK,
    );
  }

  /** Holds the drivers sampled at `tS` for the next step. */
  #holdDrivers(tS: number): void {
    const drivers = this.#drivers;
    const load = checkedDriver('load', drivers.load(tS), tS);
    this.#lossW = this.config.fullLoadLossW * load * load; // P_e = P_rated·load²
    this.#frictionW = this.config.bearingFrictionLossW * checkedDriver('frictionFactor', drivers.frictionFactor(tS), tS);
    const gAmbient = this.#gHousingAmbient * checkedDriver('coolingFactor', drivers.coolingFactor(tS), tS);
    if (gAmbient !== this.#gAmbient) {
      this.#gAmbient = gAmbient;
      // More substeps only when a raised coolingFactor makes the housing faster than the grid was sized for.
      this.#substeps = Math.max(1, Math.ceil((this.stepS * this.#rateBound(gAmbient)) / MAX_STEP_TIMES_RATE));
    }
  }

  #startAtSteadyState(): void {
    this.#holdDrivers(0);
    if (this.#gAmbient === 0) {
      throw new ThermalError('E_THERMAL_DRIVER', 'coolingFactor(0) is 0: with no path to ambient there is no steady state to start from; start with coolingFactor > 0');
    }
    // dT/dt = 0: T_h = T_a + (P_e + P_f)/G_ha, T_w = T_h + P_e/G_wh, T_b = T_h + P_f/G_bh
    this.#ambientAtNewestC = this.#climate.tempC(0);
    const housing = this.#ambientAtNewestC + (this.#lossW + this.#frictionW) / this.#gAmbient;
    this.#x[WINDING] = housing + this.#lossW / this.#gWindingHousing;
    this.#x[HOUSING] = housing;
    this.#x[BEARING] = housing + this.#frictionW / this.#gBearingHousing;
    this.#history.start(this.#x);
  }

  /** dT/dt of every node, K/s, at node temperatures (tw, th, tb) and ambient `ta`, with the held drivers. */
  #rates(tw: number, th: number, tb: number, ta: number, out: Float64Array): void {
    const qWindingHousing = this.#gWindingHousing * (tw - th);
    const qBearingHousing = this.#gBearingHousing * (tb - th);
    // C·dT/dt = P − Σ (T − T_neighbour)/R, per node
    out[WINDING] = (this.#lossW - qWindingHousing) * this.#invCw;
    out[HOUSING] = (qWindingHousing + qBearingHousing - this.#gAmbient * (th - ta)) * this.#invCh;
    out[BEARING] = (this.#frictionW - qBearingHousing) * this.#invCb;
  }

  /** Advances one grid step and records it. */
  #step(): void {
    const h = this.stepS;
    const t0 = this.#history.newestIndex * h;
    this.#holdDrivers(t0 + h / 2);
    const substeps = this.#substeps;
    const dt = h / substeps;
    const x = this.#x;
    const k1 = this.#k1;
    const k2 = this.#k2;
    const k3 = this.#k3;
    const k4 = this.#k4;
    let tw = x[WINDING]!;
    let th = x[HOUSING]!;
    let tb = x[BEARING]!;
    let ta = this.#ambientAtNewestC;
    for (let n = 1; n <= substeps; n++) {
      const taMid = this.#climate.tempC(t0 + (n - 0.5) * dt);
      const taEnd = this.#climate.tempC(t0 + n * dt);
      // RK4: x += dt/6·(k1 + 2k2 + 2k3 + k4)
      this.#rates(tw, th, tb, ta, k1);
      if (n === 1) this.#slopeStart.set(k1);
      this.#rates(tw + (dt / 2) * k1[0]!, th + (dt / 2) * k1[1]!, tb + (dt / 2) * k1[2]!, taMid, k2);
      this.#rates(tw + (dt / 2) * k2[0]!, th + (dt / 2) * k2[1]!, tb + (dt / 2) * k2[2]!, taMid, k3);
      this.#rates(tw + dt * k3[0]!, th + dt * k3[1]!, tb + dt * k3[2]!, taEnd, k4);
      tw += (dt / 6) * (k1[0]! + 2 * k2[0]! + 2 * k3[0]! + k4[0]!);
      th += (dt / 6) * (k1[1]! + 2 * k2[1]! + 2 * k3[1]! + k4[1]!);
      tb += (dt / 6) * (k1[2]! + 2 * k2[2]! + 2 * k3[2]! + k4[2]!);
      ta = taEnd;
    }
    x[WINDING] = tw;
    x[HOUSING] = th;
    x[BEARING] = tb;
    this.#ambientAtNewestC = ta;
    this.#rates(tw, th, tb, ta, this.#slopeEnd);
    this.#history.push(this.#slopeStart, this.#slopeEnd, x);
  }

  /** The Measurand that reads node `j` from the shared history, advancing the network as far as it needs. */
  #nodeMeasurand(j: number): Measurand {
    const history = this.#history;
    const stepS = this.stepS;
    return {
      unit: 'degC',
      fill: (out, startS, rateHz) => {
        for (let i = 0; i < out.length; i++) {
          const tS = startS + i / rateHz;
          const needed = Math.floor(tS / stepS) + 1;
          while (history.newestIndex < needed) this.#step();
          out[i] = history.at(j, tS);
        }
      },
    };
  }
}

function checkOption(name: string, value: number, ok: boolean, expected: string): void {
  if (!Number.isFinite(value) || !ok) {
    throw new ThermalError('E_THERMAL_OPTION', `ThermalNetwork option ${name} is ${value}; expected ${expected}`);
  }
}
