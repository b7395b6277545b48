import type { AlertEntry } from '../records';
import type { Observation, RuleChange } from './rule-change';

/** What judging one observation did. */
export interface Judgement {
  change?: RuleChange;
  /** Ignored: it was not after the previous observation of its key, and the rule depends on time order. */
  stale: boolean;
}

/** The alert state of one value-watching rule, per device and sensor. */
export interface RuleRunner {
  /** `replace`: a corrected window at the same event time as the last one judged, which it stands in for. */
  observe(obs: Observation, replace: boolean): Judgement;
  /** Event time reached nowMs: changes due by time alone. */
  advance(nowMs: number): RuleChange[];
  /** Marks an alert already raised (before a restart) as active. */
  restore(entry: AlertEntry): void;
}
