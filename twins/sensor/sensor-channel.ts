import { TwinbedError } from '../../protocol';
import type { Rng } from '../../sim';
import type { Channel, ChannelBlock, Measurand } from '../channel';
import { ButterworthLowpass } from './butterworth-lowpass';
import { GaussMarkovBias } from './gauss-markov-bias';
import { SensorFaultInjector } from './sensor-fault-injector';
import type { SensorFaultConfig } from './sensor-faults';
import type { SensorModelConfig } from './sensor-model-config';

/**
 * One random stream per mechanism, so enabling or adding one never shifts another's numbers. A stream is drawn
 * from only while its mechanism is on; delivered and dropped blocks draw alike.
 */
export interface SensorRngs {
  /** White output noise: blockSamples addNormal draws per block. */
  noise: Rng;
  /** Gauss–Markov bias: one normal() at construction, then blockSamples addNormal draws per block. */
  bias: Rng;
  /** Clock jitter: blockSamples·decimation addNormal draws per block. */
  jitter: Rng;
  /** Sensor faults, only while one is active: next() for spikes, addNormal for noise bursts. */
  faults: Rng;
}

export interface SensorChannelOptions {
  /** Sensor name, a topic level. */
  sensor: string;
  /** Unit of the reported values. */
  unit: string;
  /** Output sample rate, Hz. */
  rateHz: number;
  /** Samples per block. */
  blockSamples: number;
  /** MQTT QoS the device publishes this sensor at. Default 1. */
  qos?: 0 | 1;
  measurand: Measurand;
  model: SensorModelConfig;
  /** This sensor's faults, already filtered to its device and sensor. */
  faults: readonly SensorFaultConfig[];
  rng: SensorRngs;
}

/**
 * A physical sensor between a measurand and the wire: the chain of sensor-model-config.ts, block by block, with
 * every filter and random state carried across blocks. Platform-free; allocates only the returned values array.
 */
export class SensorChannel implements Channel {
  readonly sensor: string;
  readonly unit: string;
  readonly rateHz: number;
  readonly blockSamples: number;
  readonly qos: 0 | 1;
  readonly #measurand: Measurand;
  readonly #rng: SensorRngs;
  readonly #decimation: number;
  /** Physical sample rate of the measurand, Hz: rateHz·decimation·(1 + ppm·1e-6). */
  readonly #physicalRateHz: number;
  /** Sensor time per physical second, 1 + ppm·1e-6. */
  readonly #clockRate: number;
  /** Per-sample factor of the lag, 1 − e^(−Δt/τ); 0 when off. */
  readonly #lagAlpha: number;
  readonly #jitterS: number;
  readonly #gain: number;
  readonly #bias: number;
  readonly #noiseSigma: number;
  readonly #range: number;
  readonly #lsb: number;
  readonly #maxCode: number;
  readonly #filter: ButterworthLowpass | undefined;
  readonly #gaussMarkov: GaussMarkovBias | undefined;
  readonly #faults: SensorFaultInjector | undefined;
  /**
   * Measurand at the physical rate: x[1 … n] is this block (n = blockSamples·decimation). With jitter on, x[0] is
   * the previous block's last sample and x[n + 1] the next block's first, read one block early, so every sample
   * has a central difference.
   */
  readonly #x: Float64Array;
  readonly #fillBlock: Float64Array;
  readonly #fillFirst: Float64Array;
  readonly #fillNext: Float64Array;
  /** Jitter offsets δ, then the jittered samples. */
  readonly #jittered: Float64Array;
  /** The block at the output rate, before it becomes Float32. */
  readonly #y: Float64Array;
  #lagOut = NaN;
  #started = false;

  constructor(options: SensorChannelOptions) {
    const { sensor, unit, rateHz, blockSamples, measurand, model, faults, rng } = options;
    if (!(rateHz > 0 && Number.isFinite(rateHz))) throw sensorError(sensor, `rateHz must be a positive number of Hz, got ${rateHz}`);
    if (!(Number.isInteger(blockSamples) && blockSamples >= 1)) throw sensorError(sensor, `blockSamples must be an integer ≥ 1, got ${blockSamples}`);
    const foreign = faults.find((f) => f.sensor !== sensor);
    if (foreign) throw sensorError(sensor, `got a ${foreign.type} fault for sensor "${foreign.sensor}"; pass only this sensor's faults`);
    this.sensor = sensor;
    this.unit = unit;
    this.rateHz = rateHz;
    this.blockSamples = blockSamples;
    this.qos = options.qos ?? 1;
    this.#measurand = measurand;
    this.#rng = rng;

    const decimation = model.decimation;
    const internalRateHz = rateHz * decimation;
    this.#decimation = decimation;
    this.#clockRate = 1 + model.clockSkewPpm * 1e-6;
    this.#physicalRateHz = internalRateHz * this.#clockRate;
    // The sensing element lags in physical time: Δt = 1/physicalRateHz.
    this.#lagAlpha = model.timeConstantS > 0 ? -Math.expm1(-1 / (this.#physicalRateHz * model.timeConstantS)) : 0;
    if (model.clockJitterS * internalRateHz >= 1) {
      throw sensorError(sensor, `clockJitterS ${model.clockJitterS} s is not below the sample period 1/${internalRateHz} s; the first-order jitter model needs it smaller`);
    }
    this.#jitterS = model.clockJitterS;
    this.#gain = model.sensitivity * (1 + model.scaleFactorError);
    this.#bias = model.bias;
    // One-sided density N over 0 … fs/2: σ² = N²·fs/2.
    this.#noiseSigma = model.noiseDensity * Math.sqrt(rateHz / 2);
    this.#range = model.range ?? Infinity;
    this.#lsb = model.adcBits !== undefined && model.range !== undefined ? (2 * model.range) / 2 ** model.adcBits : 0;
    this.#maxCode = model.adcBits !== undefined ? 2 ** (model.adcBits - 1) - 1 : 0;

    const cutoffHz = model.antiAliasHz ?? (decimation > 1 ? 0.4 * rateHz : undefined);
    if (cutoffHz !== undefined && cutoffHz >= internalRateHz / 2) {
      throw sensorError(sensor, `antiAliasHz ${cutoffHz} must be below half the oversampled rate, ${internalRateHz / 2} Hz; lower it or raise decimation`);
    }
    // Designed on the sensor's own clock, as in hardware: a skewed clock moves the cutoff in physical time.
    this.#filter = cutoffHz === undefined ? undefined : new ButterworthLowpass(cutoffHz, internalRateHz);
    this.#gaussMarkov =
      model.biasInstability > 0 ? new GaussMarkovBias(model.biasInstability, model.biasCorrelationS, rateHz, blockSamples, rng.bias) : undefined;
    this.#faults = faults.length > 0 ? new SensorFaultInjector(faults, rateHz, blockSamples, rng.faults) : undefined;

    const n = blockSamples * decimation;
    this.#x = new Float64Array(n + 2);
    this.#fillBlock = this.#x.subarray(1, n + 1);
    this.#fillFirst = this.#x.subarray(1, n + 2);
    this.#fillNext = this.#x.subarray(2, n + 2);
    this.#jittered = new Float64Array(this.#jitterS > 0 ? n : 0);
    this.#y = new Float64Array(blockSamples);
  }

  next(startS: number): ChannelBlock {
    const n = this.blockSamples;
    const oversampled = n * this.#decimation;
    this.#sample(startS, oversampled);
    let source = this.#x;
    let offset = 1;
    if (this.#jitterS > 0) {
      this.#jitter(oversampled);
      source = this.#jittered;
      offset = 0;
    }
    this.#filter?.process(source, offset, oversampled);

    const y = this.#y;
    const step = this.#decimation;
    const gain = this.#gain;
    const bias = this.#bias;
    for (let k = 0; k < n; k++) y[k] = gain * source[offset + k * step]! + bias;
    this.#gaussMarkov?.add(y, n);
    if (this.#noiseSigma > 0) this.#rng.noise.addNormal(y, this.#noiseSigma, n);
    if (this.#range !== Infinity) this.#saturateAndQuantize(y, n);
    const effects = this.#faults?.apply(y, startS);
    this.#started = true;

    const values = new Float32Array(n);
    values.set(y);
    return { values, tsOffsetMs: effects?.tsOffsetMs ?? 0, dropped: effects?.dropped ?? false };
  }

  /** Fills x[1 … n] (and x[n + 1] ahead when jittering) from the measurand in physical time, then lags them. */
  #sample(startS: number, n: number): void {
    // A clock running fast by ppm reads startS when physical time is startS/(1 + ppm·1e-6); clocks agree at t = 0.
    const physicalStartS = startS / this.#clockRate;
    const rateHz = this.#physicalRateHz;
    const x = this.#x;
    if (this.#jitterS === 0) {
      this.#measurand.fill(this.#fillBlock, physicalStartS, rateHz);
      this.#lag(1, n);
    } else if (!this.#started) {
      this.#measurand.fill(this.#fillFirst, physicalStartS, rateHz);
      this.#lag(1, n + 1);
    } else {
      x[0] = x[n]!;
      x[1] = x[n + 1]!;
      this.#measurand.fill(this.#fillNext, physicalStartS + 1 / rateHz, rateHz);
      this.#lag(2, n);
    }
  }

  /** y[k] = y[k−1] + (1 − e^(−Δt/τ))·(x[k] − y[k−1]), exact for x held over (t[k−1], t[k]]; starts at the first input. */
  #lag(from: number, count: number): void {
    const alpha = this.#lagAlpha;
    if (alpha === 0) return;
    const x = this.#x;
    let y = Number.isNaN(this.#lagOut) ? x[from]! : this.#lagOut;
    const end = from + count;
    for (let i = from; i < end; i++) {
      y += alpha * (x[i]! - y);
      x[i] = y;
    }
    this.#lagOut = y;
  }

  /** x(t + δ) ≈ x(t) + x′(t)·δ with x′[i] = (x[i+1] − x[i−1])/(2Δt); the run's very first sample, with no x[i−1], uses (x[i+1] − x[i])/Δt. */
  #jitter(n: number): void {
    const x = this.#x;
    const out = this.#jittered;
    out.fill(0);
    this.#rng.jitter.addNormal(out, this.#jitterS, n);
    const rateHz = this.#physicalRateHz;
    const halfRate = rateHz / 2;
    let first = 0;
    if (!this.#started) {
      out[0] = x[1]! + (x[2]! - x[1]!) * rateHz * out[0]!;
      first = 1;
    }
    for (let i = first; i < n; i++) out[i] = x[i + 1]! + (x[i + 2]! - x[i]!) * halfRate * out[i]!;
  }

  /** Clamps to ±range, then rounds to two's-complement codes of the ADC: −2^(bits−1) … 2^(bits−1) − 1. */
  #saturateAndQuantize(y: Float64Array, n: number): void {
    const range = this.#range;
    const lsb = this.#lsb;
    const maxCode = this.#maxCode;
    for (let k = 0; k < n; k++) {
      const v = y[k]!;
      const clamped = v > range ? range : v < -range ? -range : v;
      if (lsb === 0) {
        y[k] = clamped;
        continue;
      }
      const code = Math.round(clamped / lsb);
      y[k] = (code > maxCode ? maxCode : code) * lsb;
    }
  }
}

function sensorError(sensor: string, message: string): TwinbedError {
  return new TwinbedError('E_SENSOR_MODEL', `sensor "${sensor}": ${message}`);
}
