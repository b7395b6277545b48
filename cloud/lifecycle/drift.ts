import { formatFieldPath } from '../../protocol';
import { binFractions, type DriftReference } from './drift-reference';
import { DriftPolicySchema, type DriftPolicy, type DriftPolicyInput } from './drift-policy';
import { DriftError } from './errors';
import { ksStatistic, type KsResult } from './ks';
import { psi } from './psi';

/** One live features window of a device. */
export interface DriftWindow {
  device: string;
  /** Event time, ms since the Unix epoch. */
  tsMs: number;
  features: Record<string, number>;
}

/** How far one feature's live distribution is from its reference. */
export interface FeatureDrift {
  feature: string;
  psi: number;
  ks: KsResult;
}

/** One evaluation of a device's latest windows. */
export interface DriftReport {
  device: string;
  /** Event time of the window that triggered the evaluation. */
  tsMs: number;
  /** Event times of the oldest and newest windows compared. */
  fromMs: number;
  toMs: number;
  windows: number;
  /** In the reference's feature order; features with no finite live value are left out. */
  features: FeatureDrift[];
  /** The feature with the largest PSI. */
  worst: FeatureDrift;
}

/** A device's drift state changing, described by the feature with the largest PSI. */
export interface DriftChange {
  device: string;
  tsMs: number;
  state: 'raised' | 'cleared';
  feature: string;
  psi: number;
  ks: KsResult;
  /** The bound crossed: psiRaise for a raise, psiClear for a clear. */
  threshold: number;
}

/** Train a new model on these devices' windows in [fromMs, toMs] (event time, ms). */
export interface RetrainRequest {
  devices: string[];
  fromMs: number;
  toMs: number;
  reason: string;
}

/** What one window produced: nothing, an evaluation, and with it maybe a change and a retrain request. */
export interface DriftUpdate {
  report?: DriftReport;
  change?: DriftChange;
  retrain?: RetrainRequest;
}

/** The latest windows of one device, a ring per feature. */
interface DeviceWindows {
  values: Map<string, Float64Array>;
  tsMs: Float64Array;
  next: number;
  size: number;
  /** Windows since the last evaluation. */
  since: number;
  raised: boolean;
}

/**
 * Compares each device's latest `windowCount` live windows with the model's reference distribution: first when that
 * many are held, then every `every` windows. Drift is raised when the largest PSI exceeds psiRaise and cleared when it
 * falls below psiClear, so a PSI that hovers at one bound does not flap.
 */
export class DriftMonitor {
  readonly policy: DriftPolicy;
  readonly #reference: DriftReference;
  readonly #features: string[];
  readonly #devices = new Map<string, DeviceWindows>();

  constructor(reference: DriftReference, policy: DriftPolicyInput = {}) {
    const parsed = DriftPolicySchema.safeParse(policy);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DriftError('E_DRIFT_POLICY', `drift policy ${formatFieldPath(issue.path) || 'root'}: ${issue.message}`);
    }
    this.policy = parsed.data;
    this.#reference = reference;
    this.#features = Object.keys(reference.features);
    if (this.#features.length === 0) throw new DriftError('E_DRIFT_REFERENCE', 'the drift reference has no features; build it with buildDriftReference from the training windows');
  }

  /** Adds a window; evaluates the device when due. A missing or non-finite feature is left out of that feature's comparison. */
  observe(window: DriftWindow): DriftUpdate {
    const state = this.#windowsOf(window.device);
    const count = this.policy.windowCount;
    for (const feature of this.#features) {
      const x = window.features[feature];
      state.values.get(feature)![state.next] = x !== undefined && Number.isFinite(x) ? x : Number.NaN;
    }
    state.tsMs[state.next] = window.tsMs;
    state.next = (state.next + 1) % count;
    const wasFull = state.size === count;
    state.size = Math.min(state.size + 1, count);
    if (state.size < count) return {};
    state.since++;
    if (wasFull && state.since < this.policy.every) return {};
    state.since = 0;
    const report = this.#evaluate(window, state);
    if (!report) return {};
    const { worst } = report;
    const base = { device: window.device, tsMs: window.tsMs, feature: worst.feature, psi: worst.psi, ks: worst.ks };
    if (!state.raised && worst.psi > this.policy.psiRaise) {
      state.raised = true;
      const change: DriftChange = { ...base, state: 'raised', threshold: this.policy.psiRaise };
      if (this.policy.onDrift !== 'retrain') return { report, change };
      const reason =
        `drift on ${window.device}: ${worst.feature} PSI ${fmt(worst.psi)} > ${fmt(this.policy.psiRaise)} ` +
        `(KS D ${fmt(worst.ks.d)}, p ${fmt(worst.ks.pValue)}) over ${report.windows} windows`;
      return { report, change, retrain: { devices: [window.device], fromMs: report.fromMs, toMs: report.toMs, reason } };
    }
    if (state.raised && worst.psi < this.policy.psiClear) {
      state.raised = false;
      return { report, change: { ...base, state: 'cleared', threshold: this.policy.psiClear } };
    }
    return { report };
  }

  /** Whether drift is raised on the device. */
  drifting(device: string): boolean {
    return this.#devices.get(device)?.raised ?? false;
  }

  /** Drops a device's windows and state (it left the fleet, or was retrained on a new reference). */
  forget(device: string): void {
    this.#devices.delete(device);
  }

  #windowsOf(device: string): DeviceWindows {
    let state = this.#devices.get(device);
    if (!state) {
      const count = this.policy.windowCount;
      state = {
        values: new Map(this.#features.map((f) => [f, new Float64Array(count)])),
        tsMs: new Float64Array(count),
        next: 0,
        size: 0,
        since: 0,
        raised: false,
      };
      this.#devices.set(device, state);
    }
    return state;
  }

  #evaluate(window: DriftWindow, state: DeviceWindows): DriftReport | undefined {
    const features: FeatureDrift[] = [];
    for (const feature of this.#features) {
      const reference = this.#reference.features[feature]!;
      const live = state.values.get(feature)!;
      if (!live.some(Number.isFinite)) continue;
      features.push({ feature, psi: psi(reference.expected, binFractions(live, reference.edges)), ks: ksStatistic(reference.sample, live) });
    }
    if (features.length === 0) return undefined;
    const worst = features.reduce((a, b) => (b.psi > a.psi ? b : a));
    let fromMs = Infinity;
    let toMs = -Infinity;
    for (const t of state.tsMs) {
      fromMs = Math.min(fromMs, t);
      toMs = Math.max(toMs, t);
    }
    return { device: window.device, tsMs: window.tsMs, fromMs, toMs, windows: state.size, features, worst };
  }
}

function fmt(x: number): string {
  return Number(x.toPrecision(3)).toString();
}
