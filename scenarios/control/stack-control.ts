import { z } from 'zod';
import { formatFieldPath, type CommandV1 } from '../../protocol';
import { LinkError, NO_IMPAIRMENT, ScaledRealClock, type Clock, type LinkImpairment, type LinkScheduleEntryInput } from '../../sim';
import { faultFromCommand, setFromCommand, type TwinFleet } from '../../twins';
import { didYouMean } from '../expectations/suggest';
import { SIMULATED_LINKS, type Scenario, type ScenarioInput } from '../schema';
import type { SimulatedLink } from '../stack';
import { ControlError } from './control-error';
import type { LinkTimeline } from './link-timeline';

/** What a control did, when. */
export interface ControlResult {
  /** Run seconds (from the start of the run) it took effect at, whole ms: the atS of its recorded step or entry. */
  atS: number;
  /** What the twin or link did, as a scenario step's outcome reads. */
  outcome: string;
}

/** A control on a twin as a scenario step: `{ atS, device, action, args }`, atS from the start of the run. */
export interface ControlStep {
  atS: number;
  device: string;
  action: string;
  args?: Record<string, unknown>;
}

/** A `fault` control: the fault type and, optionally, how bad, where, and how it grows (see faultFromCommand). */
export interface FaultControl {
  type: string;
  /** Severity at full growth, 0–1. Default 1. */
  severity?: number;
  /** Bearing faults: outer, inner, ball or cage. Default outer. */
  component?: string;
  /** Seconds from now to full severity. Default: at once. */
  rampS?: number;
  /** Seconds it lasts. Default: to the end of the run. */
  forS?: number;
  /** The fault type's own fields (unbalanceGmm, offsetMm, coolingLoss, …), as on the timeline. */
  [field: string]: unknown;
}

/** A `set` control: a new operating point, reached by a linear ramp. */
export interface SetControl {
  speedRpm?: number;
  load?: number;
  /** Seconds to get there. Default 5. */
  rampS?: number;
}

export const StormSchema = z
  .object({
    lossPct: z.number().min(0).max(100).optional().describe('Packets lost, %, independently each. Default: as is.'),
    latencyMs: z.number().min(0).max(600_000).optional().describe('One-way delay, ms. Default: as is.'),
    jitterMs: z.number().positive().max(600_000).optional().describe('Standard deviation of a normal jitter on the delay, ms. Default: as is.'),
    forS: z.number().positive().finite().optional().describe('How long it lasts, s; then the link returns to what it was. Default: until changed.'),
  })
  .strict()
  .refine((s) => s.lossPct !== undefined || s.latencyMs !== undefined || s.jitterMs !== undefined, { message: 'give lossPct, latencyMs or jitterMs' });

export type StormControl = z.input<typeof StormSchema>;

/** A simulated link as a link panel shows it: its impairment now, and what it has carried. */
export interface LinkStatus {
  name: string;
  partitioned: boolean;
  stalled: boolean;
  lossPct: number;
  latencyMs: number;
  /** Standard deviation of a normal jitter, ms, when there is one. */
  jitterMs?: number;
  /** Messages offered to the link (every QoS). */
  sent: number;
  /** Copies it delivered, duplicates included. */
  delivered: number;
  /** Packets it dropped (loss, full queue); QoS ≥ 1 ones are sent again, so only lostQos0 are gone. */
  dropped: number;
  lostQos0: number;
  retransmitted: number;
  /** Messages it owes now: held by a partition or stall, in flight, or waiting to be resent. */
  queued: number;
}

/** The pace of simulated time. */
export interface ClockStatus {
  /** Run seconds now. */
  atS: number;
  paused: boolean;
  /** Simulated seconds per wall second, or `max` for a virtual clock that runs as fast as the pipeline. */
  timeScale: number | 'max';
}

export interface StackControlOptions {
  scenario: Scenario;
  fleet: Pick<TwinFleet, 'applyStep'>;
  clock: Clock;
  /** Simulated start of the run, ms since the Unix epoch: recorded steps count from here. */
  startMs: number;
  links: ReadonlyMap<string, SimulatedLink>;
  linkTimeline: LinkTimeline;
}

type LinkOverride = Omit<LinkScheduleEntryInput, 'link' | 'atS'>;

/**
 * Demo controls on a running stack: faults and operating points on twins, impairments on the simulated links, and the
 * pace of simulated time. Each twin or link control acts at the current simulated time and is recorded as the scenario
 * step (`steps:`) or link entry (`links:`) that does the same, so `scenario()` is the demo saved as a scenario. Clock
 * controls are not recorded: they change how fast simulated time passes, not what happens in it. A control that
 * cannot be carried out throws a ControlError and changes nothing.
 */
export class StackControl {
  readonly #o: StackControlOptions;
  readonly #steps: ControlStep[] = [];
  #commands = 0;

  constructor(options: StackControlOptions) {
    this.#o = options;
  }

  /** Starts a fault on a twin now: `fault('pump-1', { type: 'bearing', component: 'outer', severity: 0.6 })`. */
  fault(device: string, fault: FaultControl): ControlResult {
    const twin = this.#twin(device);
    const at = this.#now();
    const made = faultFromCommand(fault, { device, template: twin.template, atS: at.atS });
    if (!made.ok) throw new ControlError('E_CONTROL_REFUSED', `${device}: ${made.refusal}`);
    return this.#apply(device, 'fault', { ...fault }, at);
  }

  /** Ramps a pump or fan to a new speed and/or load: `set('pump-1', { speedRpm: 900, rampS: 10 })`. */
  set(device: string, change: SetControl): ControlResult {
    this.#twin(device);
    const made = setFromCommand({ ...change });
    if (!made.ok) throw new ControlError('E_CONTROL_REFUSED', `${device}: ${made.refusal}`);
    return this.#apply(device, 'set', { ...change }, this.#now());
  }

  /** Any action a twin takes (`slow-down`, `stop`, `resume`, `set`, `fault`), as a scenario step would send it. */
  command(device: string, action: string, args: Record<string, unknown> = {}): ControlResult {
    if (action === 'fault') return this.fault(device, args as FaultControl);
    if (action === 'set') return this.set(device, args as SetControl);
    this.#twin(device);
    return this.#apply(device, action, args, this.#now());
  }

  /** Loss, latency and jitter on a link from now on (fields not given stay as they are). */
  storm(link: string, storm: StormControl): ControlResult {
    const parsed = StormSchema.safeParse(storm);
    if (!parsed.success) throw new ControlError('E_CONTROL_LINK', `storm on ${link} refused: ${issues(parsed.error)}`);
    const { lossPct, latencyMs, jitterMs, forS } = parsed.data;
    return this.impair(
      link,
      {
        ...(lossPct !== undefined ? { loss: lossPct / 100 } : {}),
        ...(latencyMs !== undefined ? { latencyMs } : {}),
        ...(jitterMs !== undefined ? { jitter: { dist: 'normal', sdMs: jitterMs } } : {}),
      },
      forS,
    );
  }

  /** Cuts a link: QoS 0 sent into it is lost, QoS ≥ 1 waits and is resent when it heals. */
  partition(link: string, options: { forS?: number } = {}): ControlResult {
    return this.impair(link, { partition: true }, options.forS);
  }

  /**
   * Returns a link to ideal (up, no loss, no delay): the entry sets back the fields in force now that differ from
   * ideal, and only those. On an ideal link it does nothing and records nothing.
   */
  heal(link: string): ControlResult {
    const current = this.#link(link).model.impairment;
    const back: Record<string, unknown> = {};
    for (const key of HEALABLE) {
      const ideal = NO_IMPAIRMENT[key] ?? null;
      if (JSON.stringify(current[key] ?? null) !== JSON.stringify(ideal)) back[key] = ideal;
    }
    if (Object.keys(back).length === 0) return { atS: this.#now().atS, outcome: `${link} is ideal already` };
    return this.impair(link, back as LinkOverride);
  }

  /** Any change a scenario's `links:` entry can make (latencyMs, loss, partition, bandwidthKbps, …), from now on. */
  impair(link: string, change: LinkOverride, forS?: number): ControlResult {
    this.#link(link);
    const at = this.#now();
    const entry = { link, atS: at.atS, ...(forS !== undefined ? { forS } : {}), ...change } as LinkScheduleEntryInput;
    let impairment: LinkImpairment;
    try {
      impairment = this.#o.linkTimeline.add(entry, at.nowMs);
    } catch (error) {
      // The entry is the only new one, so its index in the planned list says nothing to the caller: name the link.
      if (error instanceof LinkError) throw new ControlError('E_CONTROL_LINK', error.message.replace(/^link schedule\[\d+\]\.?/gm, `link ${link} `), { cause: error });
      throw error;
    }
    return { atS: at.atS, outcome: `${link}: ${describeImpairment(impairment)}` };
  }

  /** The link's impairment now and its counters, for a link panel. */
  linkStatus(link: string): LinkStatus {
    const { model, channel } = this.#link(link);
    const imp = model.impairment;
    const c = channel.counters();
    const m = model.counters();
    const owed = channel.backlog();
    return {
      name: link,
      partitioned: imp.partition,
      stalled: imp.stall,
      lossPct: imp.loss * 100,
      latencyMs: imp.latencyMs,
      ...(imp.jitter?.dist === 'normal' ? { jitterMs: imp.jitter.sdMs } : {}),
      sent: c.sent[0] + c.sent[1] + c.sent[2],
      delivered: c.delivered[0] + c.delivered[1] + c.delivered[2],
      dropped: m.dropped.loss + m.dropped['queue-full'],
      lostQos0: c.lostQos0,
      retransmitted: c.retransmitted[0] + c.retransmitted[1] + c.retransmitted[2],
      queued: owed.held + owed.inFlight + owed.retrying,
    };
  }

  /** Every simulated link's status, by name. */
  links(): LinkStatus[] {
    return [...this.#o.links.keys()].sort().map((name) => this.linkStatus(name));
  }

  /** Holds simulated time: twins, gateway and cloud wait; controls still act, at the paused instant. */
  pause(): ClockStatus {
    this.#paceable('pause').pause();
    return this.clockStatus();
  }

  /** Lets simulated time run on from where it was paused. */
  resume(): ClockStatus {
    this.#paceable('resume').resume();
    return this.clockStatus();
  }

  /** Runs simulated time at `factor` × real time from now on (1 is real time). */
  timeScale(factor: number): ClockStatus {
    const clock = this.#paceable('change the time scale of');
    if (!(factor > 0) || !Number.isFinite(factor) || factor > 10_000) {
      throw new ControlError('E_CONTROL_CLOCK', `time scale must be a number above 0 and at most 10000 (as a scenario's timeScale), got ${factor}`);
    }
    clock.setFactor(factor);
    return this.clockStatus();
  }

  clockStatus(): ClockStatus {
    const clock = this.#o.clock;
    const atS = round((clock.now() - this.#o.startMs) / 1000);
    return clock instanceof ScaledRealClock ? { atS, paused: clock.paused, timeScale: clock.factor } : { atS, paused: false, timeScale: 'max' };
  }

  /** The twin controls so far, as scenario steps. */
  steps(): ControlStep[] {
    return this.#steps.map((s) => ({ ...s, ...(s.args ? { args: { ...s.args } } : {}) }));
  }

  /** The link controls so far, as a scenario's `links:` entries. */
  linkEntries(): LinkScheduleEntryInput[] {
    return this.#o.linkTimeline.added().map((e) => ({ ...e }));
  }

  /** The running scenario with the controls so far appended to its `steps:` and `links:`: the demo saved as a scenario. */
  scenario(): ScenarioInput {
    const { scenario } = this.#o;
    return { ...scenario, steps: [...scenario.steps, ...this.steps()], links: [...scenario.links, ...this.linkEntries()] } as ScenarioInput;
  }

  #apply(device: string, action: string, args: Record<string, unknown>, at: { atS: number; nowMs: number }): ControlResult {
    const hasArgs = Object.keys(args).length > 0;
    const command: CommandV1 = { type: 'cmd', v: 1, device, tsMs: this.#o.startMs + at.atS * 1000, id: `control-${++this.#commands}`, action, ...(hasArgs ? { args } : {}) };
    const outcome = this.#o.fleet.applyStep(device, command, at.atS);
    if (outcome === undefined) {
      const twin = this.#twin(device);
      throw new ControlError('E_CONTROL_REFUSED', `${device} (${article(twin.template)} ${twin.template}) does not take "${action}"`);
    }
    this.#steps.push({ atS: at.atS, device, action, ...(hasArgs ? { args: structuredClone(args) } : {}) });
    return { atS: at.atS, outcome };
  }

  /** Now, rounded to whole ms of run time so that the recorded atS replays at exactly the time the control acted. */
  #now(): { atS: number; nowMs: number } {
    const elapsedMs = Math.max(0, Math.round(this.#o.clock.now() - this.#o.startMs));
    return { atS: elapsedMs / 1000, nowMs: this.#o.startMs + elapsedMs };
  }

  #twin(device: string): Scenario['twins'][number] {
    const twin = this.#o.scenario.twins.find((t) => t.id === device);
    if (!twin) throw new ControlError('E_CONTROL_DEVICE', `no twin named "${device}" in this run${didYouMean(device, this.#o.scenario.twins.map((t) => t.id), 'twins')}`);
    return twin;
  }

  #link(name: string): SimulatedLink {
    const link = this.#o.links.get(name);
    if (link) return link;
    if (SIMULATED_LINKS.includes(name)) {
      throw new ControlError('E_CONTROL_LINK', `${name} is not simulated in this run: start the stack with controlLinks: true (the demo does), or impair it in the scenario's links:`);
    }
    throw new ControlError('E_CONTROL_LINK', `no link named "${name}"${didYouMean(name, SIMULATED_LINKS, 'links')}`);
  }

  #paceable(what: string): ScaledRealClock {
    const clock = this.#o.clock;
    if (clock instanceof ScaledRealClock) return clock;
    throw new ControlError('E_CONTROL_CLOCK', `cannot ${what} a virtual clock: it runs as fast as the pipeline (timeScale: max); give the scenario a numeric timeScale for a paced run`);
  }
}

/** Impairment fields heal() sets back; `reset` is an instant, not a state, so there is nothing to heal. */
const HEALABLE = ['latencyMs', 'jitter', 'loss', 'gilbertElliott', 'duplicate', 'duplicateDelayMs', 'reorder', 'bandwidthKbps', 'queueLimitBytes', 'partition', 'stall'] as const;

/** `partitioned`, `ideal`, or `loss 20%, latency 300 ms, jitter 50 ms`. */
export function describeImpairment(imp: LinkImpairment): string {
  if (imp.partition) return 'partitioned';
  if (imp.stall) return 'stalled';
  const parts = [
    ...(imp.loss > 0 ? [`loss ${round(imp.loss * 100)}%`] : []),
    ...(imp.gilbertElliott ? ['bursty loss'] : []),
    ...(imp.latencyMs > 0 ? [`latency ${imp.latencyMs} ms`] : []),
    ...(imp.jitter ? [imp.jitter.dist === 'normal' ? `jitter ${imp.jitter.sdMs} ms` : 'Pareto jitter'] : []),
    ...(imp.duplicate > 0 ? [`duplicates ${round(imp.duplicate * 100)}%`] : []),
    ...(imp.reorder ? ['reordering'] : []),
    ...(imp.bandwidthKbps !== undefined ? [`${imp.bandwidthKbps} kbit/s`] : []),
  ];
  return parts.length ? parts.join(', ') : 'ideal';
}

function issues(error: z.ZodError): string {
  return error.issues.map((issue) => `${formatFieldPath(issue.path) || 'args'}: ${issue.message}`).join('; ');
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
