import type { AlertEntry } from '../records';
import type { Observation, RuleChange } from './rule-change';
import type { Judgement, RuleRunner } from './rule-runner';
import { valueLabel, type CloudRuleOf } from './rule-schema';
import { formatValue as f, stateKey, unitSuffix, where } from './rule-text';

interface Sample {
  tsMs: number;
  value: number;
}

interface KeyState {
  previous?: Sample;
  last: Sample;
  active: boolean;
}

/** Rate of change between consecutive observations of a key, |Δvalue| / Δt per second, with hysteresis. */
export class RateRule implements RuleRunner {
  readonly #rule: CloudRuleOf<'rate'>;
  readonly #name: string;
  readonly #keys = new Map<string, KeyState>();
  readonly #restored = new Set<string>();

  constructor(rule: CloudRuleOf<'rate'>, name: string) {
    this.#rule = rule;
    this.#name = name;
  }

  observe(obs: Observation, replace: boolean): Judgement {
    const key = stateKey(obs.device, obs.sensor);
    const sample = { tsMs: obs.tsMs, value: obs.value };
    let state = this.#keys.get(key);
    if (!state) {
      state = { last: sample, active: this.#restored.delete(key) };
      this.#keys.set(key, state);
      return { stale: false };
    }
    if (obs.tsMs === state.last.tsMs && replace) state.last = sample;
    else if (obs.tsMs <= state.last.tsMs) return { stale: true };
    else [state.previous, state.last] = [state.last, sample];
    if (!state.previous) return { stale: false };

    const rate = Math.abs(state.last.value - state.previous.value) / ((state.last.tsMs - state.previous.tsMs) / 1000);
    const clearBelow = this.#rule.clearBelowPerS ?? 0.8 * this.#rule.maxPerS;
    let text: string;
    let threshold: number;
    if (!state.active && rate > this.#rule.maxPerS) [text, threshold] = [`exceeds ${f(this.#rule.maxPerS)}`, this.#rule.maxPerS];
    else if (state.active && rate < clearBelow) [text, threshold] = [`back below ${f(clearBelow)}`, clearBelow];
    else return { stale: false };
    state.active = !state.active;
    const message = `${where(obs.device, obs.sensor)} ${valueLabel(this.#rule)} changing ${f(rate)}${unitSuffix(this.#rule, obs.unit)}/s ${text}`;
    const change: RuleChange = {
      device: obs.device,
      sensor: obs.sensor,
      rule: this.#name,
      severity: this.#rule.severity,
      tsMs: obs.tsMs,
      value: rate,
      state: state.active ? 'raised' : 'cleared',
      threshold,
      message,
      kind: 'alert',
    };
    return { change, stale: false };
  }

  advance(): RuleChange[] {
    return [];
  }

  restore(entry: AlertEntry): void {
    const key = stateKey(entry.device, entry.sensor);
    const state = this.#keys.get(key);
    if (state) state.active = true;
    else this.#restored.add(key);
  }
}
