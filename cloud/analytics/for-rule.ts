import type { AlertEntry } from '../records';
import { defaultClearAbove } from './level-rule';
import type { Observation, RuleChange } from './rule-change';
import type { Judgement, RuleRunner } from './rule-runner';
import { valueLabel, type CloudRuleOf } from './rule-schema';
import { formatValue as f, stateKey, unitSuffix, where } from './rule-text';

interface KeyState {
  last: Observation;
  active: boolean;
  /** Event time the condition started holding, unbroken since; absent while it does not hold. */
  sinceMs?: number;
}

/**
 * A condition (above or below) that must hold for forS of event time before the alert is raised. The alert is
 * stamped since + forS whether a record or `advance` finds it due, so its id does not depend on how often the
 * caller advances; it clears like an above/below rule, with the same hysteresis.
 */
export class ForRule implements RuleRunner {
  readonly #rule: CloudRuleOf<'for'>;
  readonly #name: string;
  readonly #forMs: number;
  readonly #keys = new Map<string, KeyState>();
  readonly #restored = new Set<string>();

  constructor(rule: CloudRuleOf<'for'>, name: string) {
    this.#rule = rule;
    this.#name = name;
    this.#forMs = rule.forS * 1000;
  }

  observe(obs: Observation): Judgement {
    const key = stateKey(obs.device, obs.sensor);
    let state = this.#keys.get(key);
    if (state && obs.tsMs < state.last.tsMs) return { stale: true };
    if (!state) {
      state = { last: obs, active: this.#restored.delete(key) };
      this.#keys.set(key, state);
    }
    state.last = obs;
    if (state.active) {
      const clear = this.#clearLevel(obs.value);
      if (!clear) return { stale: false };
      state.active = false;
      state.sinceMs = undefined;
      return { change: this.#change(obs, obs.tsMs, 'cleared', clear.threshold, clear.text), stale: false };
    }
    if (!this.#holds(obs.value)) {
      state.sinceMs = undefined;
      return { stale: false };
    }
    state.sinceMs ??= obs.tsMs;
    return { change: this.#raiseIfDue(state, obs.tsMs), stale: false };
  }

  advance(nowMs: number): RuleChange[] {
    const changes: RuleChange[] = [];
    for (const state of this.#keys.values()) {
      const change = state.active ? undefined : this.#raiseIfDue(state, nowMs);
      if (change) changes.push(change);
    }
    return changes;
  }

  restore(entry: AlertEntry): void {
    const key = stateKey(entry.device, entry.sensor);
    const state = this.#keys.get(key);
    if (state) state.active = true;
    else this.#restored.add(key);
  }

  #raiseIfDue(state: KeyState, nowMs: number): RuleChange | undefined {
    if (state.sinceMs === undefined || nowMs - state.sinceMs < this.#forMs) return undefined;
    state.active = true;
    const { above, below, forS } = this.#rule;
    const text = above !== undefined ? `exceeds ${f(above)} for ${f(forS)} s` : `is below ${f(below!)} for ${f(forS)} s`;
    return this.#change(state.last, state.sinceMs + this.#forMs, 'raised', above ?? below!, text);
  }

  #holds(value: number): boolean {
    return this.#rule.above !== undefined ? value > this.#rule.above : value < this.#rule.below!;
  }

  #clearLevel(value: number): { threshold: number; text: string } | undefined {
    const { above, below } = this.#rule;
    if (above !== undefined) {
      const clearBelow = this.#rule.clearBelow ?? 0.8 * above;
      return value < clearBelow ? { threshold: clearBelow, text: `back below ${f(clearBelow)}` } : undefined;
    }
    const clearAbove = this.#rule.clearAbove ?? defaultClearAbove(below!);
    return value > clearAbove ? { threshold: clearAbove, text: `back above ${f(clearAbove)}` } : undefined;
  }

  #change(obs: Observation, tsMs: number, state: 'raised' | 'cleared', threshold: number, text: string): RuleChange {
    return {
      device: obs.device,
      sensor: obs.sensor,
      rule: this.#name,
      severity: this.#rule.severity,
      tsMs,
      value: obs.value,
      state,
      threshold,
      message: `${where(obs.device, obs.sensor)} ${valueLabel(this.#rule)} ${f(obs.value)}${unitSuffix(this.#rule, obs.unit)} ${text}`,
      kind: 'alert',
    };
  }
}
