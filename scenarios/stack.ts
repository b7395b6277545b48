import type { Logger } from 'pino';
import { LinkChannel, LinkModel, NO_IMPAIRMENT, RandomStreams, Scheduler, type Cancel, type Clock } from '../sim';
import type { CommandV1 } from '../protocol';
import { EmbeddedSystem, type EmbeddedSystemOptions } from './embedded-system';
import { createMachines, TwinFleet, type DeviceConnection, type ExternalDevice } from '../twins';
import { LinkTimeline, StackControl } from './control';
import { SIMULATED_LINKS, type Scenario } from './schema';

/** A simulated link of the run, by name (`twins->edge`, `edge->cloud`). */
export interface SimulatedLink {
  model: LinkModel;
  channel: LinkChannel;
}

export interface StackOptions {
  scenario: Scenario;
  seed: string | number;
  clock: Clock;
  /** Simulated start of the run, ms since the Unix epoch. */
  startMs: number;
  /** Simulated end; twins stop producing here. Default: never. */
  endMs?: number;
  /** SQLite file for the cloud. Default `:memory:`. */
  databasePath?: string;
  /**
   * Simulate both links (`twins->edge`, `edge->cloud`) from the start, ideal until changed, so `control` can impair
   * them at run time: the live demo's. Default false: only the links the scenario impairs are simulated.
   */
  controlLinks?: boolean;
  logger?: Logger;
}

/** The run's random streams, scheduler and the simulated links its scenario impairs. */
export interface RunSetting {
  streams: RandomStreams;
  scheduler: Scheduler;
  links: ReadonlyMap<string, SimulatedLink>;
  /** The links' changes: the scenario's `links:`, and any a StackControl adds while the run goes. */
  linkTimeline: LinkTimeline;
  stop(): void;
}

/**
 * Builds the random streams and the links a scenario impairs (and `options.links`, ideal until changed), with their
 * changes on the timeline.
 */
export function runSetting(scenario: Scenario, seed: string | number, clock: Clock, startMs: number, options: { links?: readonly string[] } = {}): RunSetting {
  const streams = new RandomStreams(seed);
  const scheduler = new Scheduler(clock);
  // Only links the scenario impairs (or a demo controls) are simulated: an ideal link costs a scheduled event per message.
  const links = new Map<string, SimulatedLink>();
  for (const name of new Set([...scenario.links.map((entry) => entry.link), ...(options.links ?? [])])) {
    const model = new LinkModel(name, NO_IMPAIRMENT, streams.stream(`link/${name}`));
    links.set(name, { model, channel: new LinkChannel(model, clock) });
  }
  const linkTimeline = new LinkTimeline(scenario.links, new Map([...links].map(([name, l]) => [name, l.model])), scheduler, startMs);
  return {
    streams,
    scheduler,
    links,
    linkTimeline,
    stop: () => {
      linkTimeline.cancel();
      for (const link of links.values()) link.channel.close();
    },
  };
}

export { EmbeddedSystem, type EmbeddedSystemOptions } from './embedded-system';

/** Starts twinbed's own gateways and cloud (see EmbeddedSystem). */
export function startEmbeddedSystem(options: EmbeddedSystemOptions): Promise<EmbeddedSystem> {
  return EmbeddedSystem.start(options);
}

/** Twins → gateway → cloud, all in this process: the embedded system with the scenario's fleet publishing into it. */
export interface Stack {
  readonly system: EmbeddedSystem;
  readonly cloud: EmbeddedSystem['cloud'];
  /** The first gateway (the only one without `gateways:`). */
  readonly gateway: EmbeddedSystem['gateway'];
  readonly gateways: EmbeddedSystem['gateways'];
  readonly fleet: TwinFleet;
  /** The simulated links the scenario impairs (all of them with controlLinks), by name (`twins->edge`, `edge->cloud`); absent links are ideal. */
  readonly links: ReadonlyMap<string, SimulatedLink>;
  /** Demo controls on this stack: faults, operating points, links, the clock; each recorded as a scenario step. */
  readonly control: StackControl;
  readonly startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts the scenario's twins, publishing into the embedded gateway and cloud. The twins take the scenario's `steps:`
 * at their times (steps on the gateway or the cloud are for `twinbed run`: the live stack logs and skips them).
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { scenario, clock, logger } = options;
  const setting = runSetting(scenario, options.seed, clock, options.startMs, options.controlLinks ? { links: SIMULATED_LINKS } : {});
  const stepCancels: Cancel[] = [];
  let system: EmbeddedSystem | undefined;
  try {
    system = await startEmbeddedSystem({
      scenario,
      clock,
      ...(setting.links.get('edge->cloud') ? { uplink: setting.links.get('edge->cloud')!.channel } : {}),
      ...(options.databasePath ? { databasePath: options.databasePath } : {}),
      ...(logger ? { logger } : {}),
    });
    const fleet = await startScenarioFleet(scenario, setting, { brokerUrl: system.deviceUrl, startMs: options.startMs, endMs: options.endMs, logger });
    stepCancels.push(...playTwinSteps(scenario, fleet, setting, options.startMs, logger));
    const running = system;
    return {
      system: running,
      cloud: running.cloud,
      gateway: running.gateway,
      gateways: running.gateways,
      fleet,
      links: setting.links,
      control: new StackControl({ scenario, fleet, clock, startMs: options.startMs, links: setting.links, linkTimeline: setting.linkTimeline }),
      startMs: options.startMs,
      stop: async () => {
        stepCancels.splice(0).forEach((cancel) => cancel());
        await fleet.stop();
        setting.stop();
        await running.stop();
      },
    } satisfies Stack & { stop(): Promise<void> };
  } catch (error) {
    stepCancels.splice(0).forEach((cancel) => cancel());
    setting.stop();
    await system?.stop();
    throw error;
  }
}

/** Schedules the scenario's steps on twins, as the runner does, so a demo saved as a scenario plays back live too. */
function playTwinSteps(scenario: Scenario, fleet: TwinFleet, setting: RunSetting, startMs: number, logger: Logger | undefined): Cancel[] {
  const twins = new Set(scenario.twins.map((t) => t.id));
  return scenario.steps.flatMap((step, i) => {
    if (!twins.has(step.device)) {
      logger?.warn({ step: i + 1, device: step.device, action: step.action }, 'the live stack plays steps on twins only; `twinbed run` carries out this one');
      return [];
    }
    const atMs = startMs + step.atS * 1000;
    const command: CommandV1 = { type: 'cmd', v: 1, device: step.device, tsMs: atMs, id: `step-${i + 1}`, action: step.action, ...(step.args ? { args: step.args } : {}) };
    return [
      setting.scheduler.at(atMs, () => {
        const outcome = fleet.applyStep(step.device, command) ?? 'not supported by this device';
        logger?.info({ step: i + 1, device: step.device, action: step.action, atS: step.atS, outcome }, 'step');
      }),
    ];
  });
}

/** The scenario's twins as a fleet on the run's scheduler and streams, across the simulated device link if any. */
export function startScenarioFleet(
  scenario: Scenario,
  setting: RunSetting,
  options: {
    brokerUrl: string;
    connection?: DeviceConnection;
    baseDir?: string;
    truth?: 'broker' | 'local';
    startMs: number;
    endMs?: number | undefined;
    /** Devices bound to hardware: their twins are not simulated, they publish in their place. Default none. */
    external?: readonly ExternalDevice[];
    /** Hold the system's commands until the fleet's releaseCommands() (see TwinFleetOptions.holdCommands). */
    holdCommands?: boolean;
    logger?: Logger | undefined;
  },
): Promise<TwinFleet> {
  const link = setting.links.get('twins->edge')?.channel;
  const bound = new Set((options.external ?? []).map((d) => d.id));
  return TwinFleet.start({
    brokerUrl: options.brokerUrl,
    ...(options.connection ? { connection: options.connection } : {}),
    ...(options.baseDir ? { baseDir: options.baseDir } : {}),
    ...(options.truth ? { truth: options.truth } : {}),
    site: scenario.site,
    // Random streams are named by device, so leaving bound twins out changes no other twin's signal.
    machines: (streams) => createMachines(bound.size ? { ...scenario, twins: scenario.twins.filter((t) => !bound.has(t.id)) } : scenario, streams),
    ...(options.external?.length ? { external: options.external } : {}),
    ...(options.holdCommands ? { holdCommands: true } : {}),
    scheduler: setting.scheduler,
    streams: setting.streams,
    ...(link ? { link } : {}),
    startMs: options.startMs,
    ...(options.endMs !== undefined ? { endMs: options.endMs } : {}),
    ...(options.logger ? { logger: options.logger.child({ layer: 'twins' }) } : {}),
  });
}
