import type { AlertEntry } from '../records';
import type { RuleChange } from './rule-change';
import type { CloudRuleOf } from './rule-schema';
import { formatValue as f, stateKey, where } from './rule-text';

interface Watch {
  device: string;
  sensor?: string;
  /** Event time of the latest window; after a restore, when the restored alert was raised. */
  lastSeenMs: number;
  /** The gateway the device was last heard through, whose last will silences it too. */
  gateway?: string;
  raised: boolean;
}

/**
 * Silence watch: raises when a device (or its sensor) sends no window for timeoutS of event time, or when it or its
 * gateway goes offline; clears on the next window. A device the rule names is watched from the first event time the
 * engine sees, so one that never speaks is caught too.
 */
export class AbsentRule {
  readonly #rule: CloudRuleOf<'absent'>;
  readonly #name: string;
  readonly #timeoutMs: number;
  readonly #watches = new Map<string, Watch>();

  constructor(rule: CloudRuleOf<'absent'>, name: string) {
    this.#rule = rule;
    this.#name = name;
    this.#timeoutMs = rule.timeoutS * 1000;
  }

  /** Event time is at least nowMs: start watching the named device if not yet. */
  touch(nowMs: number): void {
    if (this.#rule.device !== undefined) this.#watch(this.#rule.device, nowMs);
  }

  onWindow(input: { device: string; sensor: string; tsMs: number; gateway?: string }): RuleChange | undefined {
    if ((this.#rule.device && this.#rule.device !== input.device) || (this.#rule.sensor && this.#rule.sensor !== input.sensor)) return undefined;
    const watch = this.#watch(input.device, input.tsMs);
    if (input.gateway !== undefined) watch.gateway = input.gateway;
    const silentS = Math.max(0, input.tsMs - watch.lastSeenMs) / 1000;
    watch.lastSeenMs = Math.max(watch.lastSeenMs, input.tsMs);
    if (!watch.raised) return undefined;
    watch.raised = false;
    return this.#change(watch, input.tsMs, 'cleared', silentS, `data resumed after ${f(silentS)} s`);
  }

  /** `id` went offline: the device itself, or a gateway its watched devices were last heard through. */
  onOffline(id: string, tsMs: number): RuleChange[] {
    if (this.#rule.device === id) this.#watch(id, tsMs);
    const changes: RuleChange[] = [];
    for (const watch of this.#watches.values()) {
      if (watch.raised || (watch.device !== id && watch.gateway !== id)) continue;
      watch.raised = true;
      const via = watch.device === id ? '' : ` (gateway ${id})`;
      changes.push(this.#change(watch, tsMs, 'raised', Math.max(0, tsMs - watch.lastSeenMs) / 1000, `went offline${via}`));
    }
    return changes;
  }

  advance(nowMs: number): RuleChange[] {
    const changes: RuleChange[] = [];
    for (const watch of this.#watches.values()) {
      if (watch.raised || nowMs - watch.lastSeenMs < this.#timeoutMs) continue;
      watch.raised = true;
      // Stamped when the timeout ran out, not when advance noticed, so the alert id does not depend on the cadence.
      const tsMs = watch.lastSeenMs + this.#timeoutMs;
      changes.push(this.#change(watch, tsMs, 'raised', this.#rule.timeoutS, `no data for ${f(this.#rule.timeoutS)} s`));
    }
    return changes;
  }

  restore(entry: AlertEntry): void {
    const watch = this.#watch(entry.device, entry.raisedMs);
    watch.raised = true;
  }

  #watch(device: string, nowMs: number): Watch {
    const sensor = this.#rule.sensor;
    const key = stateKey(device, sensor);
    let watch = this.#watches.get(key);
    if (!watch) {
      watch = { device, ...(sensor !== undefined ? { sensor } : {}), lastSeenMs: nowMs, raised: false };
      this.#watches.set(key, watch);
    }
    return watch;
  }

  #change(watch: Watch, tsMs: number, state: 'raised' | 'cleared', value: number, text: string): RuleChange {
    return {
      device: watch.device,
      ...(watch.sensor !== undefined ? { sensor: watch.sensor } : {}),
      rule: this.#name,
      severity: this.#rule.severity,
      tsMs,
      value,
      state,
      threshold: this.#rule.timeoutS,
      message: `${where(watch.device, watch.sensor)} ${text}`,
      kind: 'absent',
    };
  }
}
