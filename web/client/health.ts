import { severityColor } from './colors';
import type { LiveAlert, LiveReading, PageRule } from './live-reading';

export type HealthLevel = 'waiting' | 'unwatched' | 'ok' | 'warning' | 'alarm';

export interface MachineHealthState {
  level: HealthLevel;
  /** The worst watched value over its threshold, 0 when nothing watches the machine. */
  ratio: number;
  colour: { r: number; g: number; b: number };
  /** Alerts raised on the machine now, by rule. */
  alerts: LiveAlert[];
}

const WAITING = { r: 0.32, g: 0.35, b: 0.4 };
const UNWATCHED = { r: 0.32, g: 0.52, b: 0.74 };

/**
 * A machine's health from its own sensors: each reading a rule or the anomaly model watches gives a ratio of value
 * to threshold (the worst sensor counts); an alert raised on the machine makes it an alarm, whatever the ratios say.
 * A machine whose sensors nothing watches is `unwatched`, not healthy: a conveyor without a rule is not green.
 */
export class HealthBook {
  readonly #rules: readonly PageRule[];
  readonly #ratios = new Map<string, Map<string, number>>();
  readonly #seen = new Set<string>();
  readonly #alerts = new Map<string, Map<string, LiveAlert>>();

  constructor(rules: readonly PageRule[]) {
    this.#rules = rules;
  }

  /** Forgets every reading and alert: a replay jumping to another instant starts over. */
  reset(): void {
    this.#ratios.clear();
    this.#seen.clear();
    this.#alerts.clear();
  }

  /** Takes a reading; returns true when it changed the machine's ratio. */
  onReading(r: LiveReading): boolean {
    this.#seen.add(r.device);
    let ratio: number | undefined;
    for (const rule of this.#rules) {
      if ((rule.device && rule.device !== r.device) || (rule.sensor && rule.sensor !== r.sensor)) continue;
      const value = r.features[rule.metric];
      if (value === undefined || !(rule.above > 0)) continue;
      ratio = Math.max(ratio ?? 0, value / rule.above);
    }
    if (r.score && r.score.threshold > 0) ratio = Math.max(ratio ?? 0, r.score.value / r.score.threshold);
    if (ratio === undefined) return false;
    const sensors = this.#ratios.get(r.device) ?? new Map<string, number>();
    const before = sensors.get(r.sensor);
    sensors.set(r.sensor, ratio);
    this.#ratios.set(r.device, sensors);
    return before !== ratio;
  }

  onAlert(a: LiveAlert): void {
    const raised = this.#alerts.get(a.device) ?? new Map<string, LiveAlert>();
    const key = `${a.sensor ?? ''}/${a.rule}`;
    if (a.state === 'raised') raised.set(key, a);
    else raised.delete(key);
    this.#alerts.set(a.device, raised);
  }

  state(device: string): MachineHealthState {
    const alerts = [...(this.#alerts.get(device)?.values() ?? [])];
    const ratios = [...(this.#ratios.get(device)?.values() ?? [])];
    const ratio = ratios.length ? Math.max(...ratios) : 0;
    if (alerts.length > 0) return { level: 'alarm', ratio, colour: severityColor(1, 1), alerts };
    if (ratios.length === 0) return { level: this.#seen.has(device) ? 'unwatched' : 'waiting', ratio, colour: this.#seen.has(device) ? UNWATCHED : WAITING, alerts };
    return { level: ratio >= 1 ? 'alarm' : ratio >= 0.5 ? 'warning' : 'ok', ratio, colour: severityColor(ratio, 1), alerts };
  }
}
