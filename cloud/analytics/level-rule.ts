import type { AlertEntry } from '../records';
import type { Observation, RuleChange } from './rule-change';
import type { Judgement, RuleRunner } from './rule-runner';
import { valueLabel, type CloudRuleOf } from './rule-schema';
import { formatValue as f, stateKey, unitSuffix, where } from './rule-text';

type LevelRuleConfig = CloudRuleOf<'above' | 'below' | 'band' | 'anomaly'>;

interface Active {
  /** Band rules: the edge crossed, whose clear level applies. */
  side: 'low' | 'high';
}

/** What a crossing is worth: raise or clear, at which threshold, in which words. */
interface Verdict {
  state: 'raised' | 'cleared';
  threshold: number;
  text: string;
  side?: 'low' | 'high';
}

/**
 * Level rules with hysteresis (above, below, band, anomaly): one raise when the value leaves the normal range, one
 * clear when it is back past the clear level. Judged per record in arrival order, exactly as protocol's AlertEngine.
 */
export class LevelRule implements RuleRunner {
  readonly #rule: LevelRuleConfig;
  readonly #name: string;
  readonly #active = new Map<string, Active>();

  constructor(rule: LevelRuleConfig, name: string) {
    this.#rule = rule;
    this.#name = name;
  }

  observe(obs: Observation): Judgement {
    const key = stateKey(obs.device, obs.sensor);
    const active = this.#active.get(key);
    const verdict = active ? this.#clear(obs.value, active, obs) : this.#raise(obs.value, obs);
    if (!verdict) return { stale: false };
    if (verdict.state === 'raised') this.#active.set(key, { side: verdict.side ?? 'high' });
    else this.#active.delete(key);
    const label = this.#rule.type === 'anomaly' ? `anomaly ${valueLabel(this.#rule)}` : valueLabel(this.#rule);
    const message = `${where(obs.device, obs.sensor)} ${label} ${f(obs.value)}${unitSuffix(this.#rule, obs.unit)} ${verdict.text}`;
    const change: RuleChange = {
      device: obs.device,
      sensor: obs.sensor,
      rule: this.#name,
      severity: this.#rule.severity,
      tsMs: obs.tsMs,
      value: obs.value,
      state: verdict.state,
      threshold: verdict.threshold,
      message,
      kind: this.#rule.type === 'anomaly' ? 'anomaly' : 'alert',
    };
    return { change, stale: false };
  }

  advance(): RuleChange[] {
    return [];
  }

  restore(entry: AlertEntry): void {
    const rule = this.#rule;
    const side = rule.type === 'band' && entry.value < rule.low ? 'low' : 'high';
    this.#active.set(stateKey(entry.device, entry.sensor), { side });
  }

  #raise(v: number, obs: Observation): Verdict | undefined {
    const rule = this.#rule;
    switch (rule.type) {
      case 'above':
        return v > rule.above ? { state: 'raised', threshold: rule.above, text: `exceeds ${f(rule.above)}` } : undefined;
      case 'below':
        return v < rule.below ? { state: 'raised', threshold: rule.below, text: `is below ${f(rule.below)}` } : undefined;
      case 'band':
        if (v > rule.high) return { state: 'raised', threshold: rule.high, text: `outside ${f(rule.low)}..${f(rule.high)}`, side: 'high' };
        if (v < rule.low) return { state: 'raised', threshold: rule.low, text: `outside ${f(rule.low)}..${f(rule.high)}`, side: 'low' };
        return undefined;
      case 'anomaly': {
        const threshold = rule.above ?? obs.scoreThreshold;
        return threshold !== undefined && v > threshold ? { state: 'raised', threshold, text: `exceeds ${f(threshold)}` } : undefined;
      }
    }
  }

  #clear(v: number, active: Active, obs: Observation): Verdict | undefined {
    const rule = this.#rule;
    switch (rule.type) {
      case 'above': {
        const clearBelow = rule.clearBelow ?? 0.8 * rule.above;
        return v < clearBelow ? { state: 'cleared', threshold: clearBelow, text: `back below ${f(clearBelow)}` } : undefined;
      }
      case 'below': {
        const clearAbove = rule.clearAbove ?? defaultClearAbove(rule.below);
        return v > clearAbove ? { state: 'cleared', threshold: clearAbove, text: `back above ${f(clearAbove)}` } : undefined;
      }
      case 'band': {
        const margin = rule.clearMargin ?? 0.1 * (rule.high - rule.low);
        const [low, high] = [rule.low + margin, rule.high - margin];
        if (!(v > low && v < high)) return undefined;
        return { state: 'cleared', threshold: active.side === 'high' ? high : low, text: `back inside ${f(low)}..${f(high)}` };
      }
      case 'anomaly': {
        const threshold = rule.above ?? obs.scoreThreshold;
        if (threshold === undefined) return undefined;
        const clearBelow = rule.clearBelow ?? 0.8 * threshold;
        return v < clearBelow ? { state: 'cleared', threshold: clearBelow, text: `back below ${f(clearBelow)}` } : undefined;
      }
    }
  }
}

/** The mirror of above's 0.8 × above: a margin of a fifth of the threshold's size. */
export function defaultClearAbove(below: number): number {
  return below + 0.2 * Math.abs(below);
}
