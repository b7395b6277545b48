import type { ThresholdRule } from '../../protocol';
import type { AlertEntry } from '../records';
import { AbsentRule } from './absent-rule';
import { DuplicateRuleError } from './analytics-errors';
import { Automation, type CommandRequest } from './automation';
import { ForRule } from './for-rule';
import { LevelRule } from './level-rule';
import { RateRule } from './rate-rule';
import type { Observation, RuleChange } from './rule-change';
import type { RuleRunner } from './rule-runner';
import { ruleName, type CloudRule } from './rule-schema';
import { stateKey } from './rule-text';
import { WindowAggregator, type KeyedWindowResult } from './windows';

/** One window of features of one device sensor, as the cloud stored it, with the anomaly score it carries if any. */
export interface WindowInput {
  site: string;
  device: string;
  sensor: string;
  unit: string;
  /** Event time of the window, ms since the Unix epoch. */
  tsMs: number;
  features: Record<string, number>;
  score?: number;
  /** Threshold of the model that produced `score`. */
  scoreThreshold?: number;
  /** The gateway it came through. */
  gateway?: string;
}

/** A device or gateway came online or went offline (status topic, last will). */
export interface PresenceInput {
  device: string;
  online: boolean;
  tsMs: number;
}

/** What one input did: alert changes in rule order, the commands they trigger, and records dropped as late. */
export interface RuleOutput {
  changes: RuleChange[];
  commands: CommandRequest[];
  /** Records that arrived after their window closed and were dropped from it (0 or 1 per record). */
  late: number;
}

interface ValueSlot {
  rule: Exclude<CloudRule, { type: 'absent' }>;
  runner: RuleRunner;
  window?: WindowAggregator;
  /** Per key: the device, sensor and unit its window results speak of. */
  context: Map<string, Omit<Observation, 'tsMs' | 'value'>>;
  /** Per key: event time of the latest window judged. */
  judgedMs: Map<string, number>;
}

type Slot = { name: string } & ({ kind: 'value'; value: ValueSlot } | { kind: 'absent'; absent: AbsentRule });

/**
 * Cloud rules on event time: per record or per window, with alert state per rule, device and sensor. Pure and
 * deterministic: the same calls give the same outputs in the same order; time moves only with the inputs and
 * `advance`.
 */
export class RuleEngine {
  /** The rate-limit state to save (snapshot) and load (restore) across restarts. */
  readonly automation: Automation;
  readonly #slots: Slot[] = [];
  readonly #byName = new Map<string, Slot>();
  readonly #gateways = new Map<string, string>();

  /** Today's ThresholdRules are taken as they are: a rule without `type` is an `above` rule. */
  constructor(rules: readonly (CloudRule | ThresholdRule)[]) {
    const named: { name: string; then?: CloudRule['then']; rateLimit?: CloudRule['rateLimit'] }[] = [];
    rules.forEach((input, index) => {
      const rule: CloudRule = 'type' in input ? input : { ...input, type: 'above' };
      const name = ruleName(rule);
      const clash = this.#slots.findIndex((s) => s.name === name);
      if (clash >= 0) throw new DuplicateRuleError(name, clash, index);
      const slot = createSlot(rule, name);
      this.#slots.push(slot);
      this.#byName.set(name, slot);
      named.push({ name, ...(rule.then ? { then: rule.then } : {}), ...(rule.rateLimit ? { rateLimit: rule.rateLimit } : {}) });
    });
    this.automation = new Automation(named);
  }

  /** Marks the cloud's open alerts (after a restart) as active, so they are not raised a second time. */
  restore(open: readonly AlertEntry[]): void {
    for (const entry of open) {
      if (entry.origin !== 'cloud' || entry.state === 'cleared') continue;
      const slot = this.#byName.get(entry.rule);
      if (!slot) continue;
      if (slot.kind === 'absent') slot.absent.restore(entry);
      else slot.value.runner.restore(entry);
    }
  }

  onWindow(input: WindowInput): RuleOutput {
    if (input.gateway !== undefined) this.#gateways.set(input.device, input.gateway);
    const out = new OutputBuilder(this.automation, this.#gateways);
    let late = false;
    for (const slot of this.#slots) {
      if (slot.kind === 'absent') {
        slot.absent.touch(input.tsMs);
        out.add(slot.absent.onWindow(input));
        continue;
      }
      const { rule, runner, window } = slot.value;
      if ((rule.device && rule.device !== input.device) || (rule.sensor && rule.sensor !== input.sensor)) continue;
      const value = rule.type === 'anomaly' ? input.score : input.features[rule.metric];
      if (value === undefined) continue;
      const obs: Observation = {
        device: input.device,
        sensor: input.sensor,
        unit: input.unit,
        tsMs: input.tsMs,
        value,
        ...(input.scoreThreshold !== undefined ? { scoreThreshold: input.scoreThreshold } : {}),
      };
      if (!window) {
        const judgement = runner.observe(obs, false);
        late ||= judgement.stale;
        out.add(judgement.change);
        continue;
      }
      const key = stateKey(input.device, input.sensor);
      const { tsMs: _ts, value: _value, ...context } = obs;
      slot.value.context.set(key, context);
      const emission = window.add(key, input.tsMs, value);
      late ||= emission.late > 0;
      for (const w of emission.windows) out.add(judgeWindow(slot.value, w));
    }
    return out.build(late ? 1 : 0);
  }

  onPresence(input: PresenceInput): RuleOutput {
    const out = new OutputBuilder(this.automation, this.#gateways);
    for (const slot of this.#slots) {
      if (slot.kind !== 'absent') continue;
      slot.absent.touch(input.tsMs);
      // Coming back online clears nothing: only data does.
      if (!input.online) for (const change of slot.absent.onOffline(input.device, input.tsMs)) out.add(change);
    }
    return out.build(0);
  }

  /** Event time reached nowMs: windows close, for-durations and silence timeouts come due. */
  advance(nowMs: number): RuleOutput {
    const out = new OutputBuilder(this.automation, this.#gateways);
    for (const slot of this.#slots) {
      if (slot.kind === 'absent') {
        slot.absent.touch(nowMs);
        for (const change of slot.absent.advance(nowMs)) out.add(change);
        continue;
      }
      const { window, runner } = slot.value;
      if (window) for (const w of window.advance(nowMs).windows) out.add(judgeWindow(slot.value, w));
      for (const change of runner.advance(nowMs)) out.add(change);
    }
    return out.build(0);
  }
}

function createSlot(rule: CloudRule, name: string): Slot {
  if (rule.type === 'absent') return { name, kind: 'absent', absent: new AbsentRule(rule, name) };
  const runner = rule.type === 'rate' ? new RateRule(rule, name) : rule.type === 'for' ? new ForRule(rule, name) : new LevelRule(rule, name);
  const value: ValueSlot = { rule, runner, context: new Map(), judgedMs: new Map() };
  if (rule.window) value.window = new WindowAggregator(rule.window);
  return { name, kind: 'value', value };
}

/**
 * A window result as an observation. A correction of the latest window judged stands in for it; a correction of an
 * older one cannot change the present state (later windows were judged since) and is not judged again.
 */
function judgeWindow(slot: ValueSlot, w: KeyedWindowResult): RuleChange | undefined {
  const judged = slot.judgedMs.get(w.key);
  if (w.update && judged !== undefined && w.endMs < judged) return undefined;
  slot.judgedMs.set(w.key, Math.max(judged ?? -Infinity, w.endMs));
  const context = slot.context.get(w.key)!;
  return slot.runner.observe({ ...context, tsMs: w.endMs, value: w.value }, w.update && w.endMs === judged).change;
}

/** Collects changes in order, each followed by the commands it triggers. */
class OutputBuilder {
  readonly #automation: Automation;
  readonly #gateways: ReadonlyMap<string, string>;
  readonly #changes: RuleChange[] = [];
  readonly #commands: CommandRequest[] = [];

  constructor(automation: Automation, gateways: ReadonlyMap<string, string>) {
    this.#automation = automation;
    this.#gateways = gateways;
  }

  add(change: RuleChange | undefined): void {
    if (!change) return;
    this.#changes.push(change);
    this.#commands.push(...this.#automation.onChange(change, this.#gateways.get(change.device)));
  }

  build(late: number): RuleOutput {
    return { changes: this.#changes, commands: this.#commands, late };
  }
}
