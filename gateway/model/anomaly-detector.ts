import { z } from 'zod';
import type { EventV1, FeaturesV1, FeaturesV2 } from '../../protocol';
import { LatencyHistogram, monotonicWallMs } from '../../sim';
import { ModelRunError } from './errors';
import { featureVector } from '../../ml';
import type { ModelSource } from './model-slot';

export const DetectorOptionsSchema = z
  .object({
    anomalyAfter: z.number().int().min(1).default(3).describe('Consecutive windows over the threshold before an anomaly is raised. Default 3.'),
    clearAfter: z.number().int().min(1).default(5).describe('Consecutive windows at or under the threshold before a raised anomaly clears. Default 5.'),
    threshold: z.number().positive().finite().optional().describe('Score threshold overriding the active model\'s own. Default: the model\'s.'),
    criticalRatio: z
      .number()
      .min(1)
      .default(3)
      .describe('An anomaly raised with score ≥ criticalRatio × threshold is `critical`, otherwise `warning`. Default 3.'),
    rule: z.string().min(1).default('edge-anomaly').describe('Rule name on the events, stable across model versions so raise and clear pair up. Default `edge-anomaly`.'),
  })
  .strict();

export type DetectorOptionsInput = z.input<typeof DetectorOptionsSchema>;

export type DetectorVerdict =
  | { scored: false; reason: 'no-active-model' }
  | {
      scored: true;
      score: number;
      threshold: number;
      modelVersion: string;
      over: boolean;
      /** Inference time of this window, ms. */
      latencyMs: number;
      /** Set when this window raised or cleared the stream's anomaly. */
      event?: EventV1;
    };

/** Percentile summary of the inference latency, ms (sim's LatencyHistogram summary). */
export type LatencySummary = ReturnType<LatencyHistogram['summary']>;

interface StreamState {
  over: number;
  under: number;
  raised: boolean;
  severity: EventV1['severity'];
}

/**
 * Edge anomaly detection: each features window → the active model's input vector → a score, debounced per
 * (device, sensor) into `raised` and `cleared` events. Windows of one stream are scored in arrival order.
 */
export class AnomalyDetector {
  readonly #models: ModelSource;
  readonly #options: z.output<typeof DetectorOptionsSchema>;
  readonly #nowMs: () => number;
  readonly #latency = new LatencyHistogram();
  readonly #streams = new Map<string, StreamState>();
  readonly #tails = new Map<string, Promise<unknown>>();

  /** `nowMs` is the monotonic clock latency is measured on, ms. Default: the wall clock (performance.now). */
  constructor(models: ModelSource, options: DetectorOptionsInput = {}, nowMs: () => number = monotonicWallMs) {
    this.#models = models;
    this.#options = DetectorOptionsSchema.parse(options);
    this.#nowMs = nowMs;
  }

  /**
   * Scores one window. A window lacking a model input throws FeatureVectorError naming the features; one the model
   * scores as NaN or ∞ throws ModelRunError. Neither moves the debounce counters.
   */
  process(window: FeaturesV1 | FeaturesV2): Promise<DetectorVerdict> {
    const key = `${window.device}/${window.sensor}`;
    const run = (this.#tails.get(key) ?? Promise.resolve()).then(() => this.#process(key, window));
    const tail = run.catch(() => undefined); // the caller gets the error through `run`
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return run;
  }

  /** Inference latency per window so far (model run only, not vector packing), ms. */
  latency(): LatencySummary {
    return this.#latency.summary();
  }

  /** Streams (`device/sensor`) with a raised anomaly. */
  raised(): string[] {
    return [...this.#streams].filter(([, state]) => state.raised).map(([key]) => key);
  }

  async #process(key: string, window: FeaturesV1 | FeaturesV2): Promise<DetectorVerdict> {
    this.#models.observe(window.features);
    const lease = this.#models.acquire();
    if (!lease) return { scored: false, reason: 'no-active-model' };
    try {
      const { model } = lease;
      const where = `${key} window seq ${window.seq}`;
      const vector = featureVector(window.features, model.featureNames, where, model.version);
      const started = this.#nowMs();
      const score = (await model.scoreBatch(vector, 1))[0]!;
      const latencyMs = this.#nowMs() - started;
      this.#latency.record(latencyMs);
      if (!Number.isFinite(score)) {
        throw new ModelRunError(`model ${model.version} scored ${where} as ${score}; roll it back (model.rollback) and check the model against these features`);
      }
      const threshold = this.#options.threshold ?? model.threshold;
      const event = this.#debounce(key, window, score, threshold, model.version);
      return { scored: true, score, threshold, modelVersion: model.version, over: score > threshold, latencyMs, ...(event ? { event } : {}) };
    } finally {
      lease.release();
    }
  }

  #debounce(key: string, window: FeaturesV1 | FeaturesV2, score: number, threshold: number, version: string): EventV1 | undefined {
    let state = this.#streams.get(key);
    if (!state) this.#streams.set(key, (state = { over: 0, under: 0, raised: false, severity: 'warning' }));
    if (score > threshold) {
      state.over++;
      state.under = 0;
    } else {
      state.under++;
      state.over = 0;
    }
    const { anomalyAfter, clearAfter, criticalRatio, rule } = this.#options;
    const base = { type: 'event', v: 1, device: window.device, sensor: window.sensor, tsMs: window.tsMs, kind: 'anomaly', origin: 'edge', rule, value: score, threshold } as const;
    if (!state.raised && state.over >= anomalyAfter) {
      state.raised = true;
      state.severity = score >= criticalRatio * threshold ? 'critical' : 'warning';
      const message = `${key} anomaly score ${fmt(score)} over threshold ${fmt(threshold)} for ${state.over} consecutive windows (model ${version})`;
      return { ...base, state: 'raised', severity: state.severity, message };
    }
    if (state.raised && state.under >= clearAfter) {
      state.raised = false;
      const message = `${key} anomaly score ${fmt(score)} back under threshold ${fmt(threshold)} for ${state.under} consecutive windows (model ${version})`;
      return { ...base, state: 'cleared', severity: state.severity, message };
    }
    return undefined;
  }
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
