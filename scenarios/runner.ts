import path from 'node:path';
import type { Logger } from 'pino';
import type { CommandV1 } from '../protocol';
import { monotonicWallMs, ScaledRealClock, VirtualClock, type Cancel, type Clock } from '../sim';
import type { DeviceStats, ExternalDevice, TwinFleet } from '../twins';
import { evaluate, lifecycleEvidence, skippedResult, type ExpectationResult, type LinkEvidence, type RunEvidence } from './expectations';
import type { Reporter, RunResult, RunStats } from './reporter';
import { isGatewayPart, systemPart, type Scenario } from './schema';
import { runSetting, startScenarioFleet, type RunSetting, type SimulatedLink } from './stack';
import { buildTimeline, watchedSeries, type RunTimeline } from './timeline';
import { RunRecording, type RecordOptions } from './recording/run-recording';
import { openHardware, type HardwareSet } from './hardware';
import { EmbeddedTarget, linkBacklog, MqttTarget, planRun, type LoadedTarget, type RunningTarget, type StoredCount } from './target';

export interface RunOptions {
  /** The scenario file, for reports and for relative paths in an inline `target:`. */
  file?: string;
  /** The scenario file's text, so a refusal names the line of the field it is about. */
  source?: string;
  /** Overrides the scenario's seed. */
  seed?: string | number;
  /** Runs against this target instead of the scenario's own `target:` (default: the embedded stack). */
  target?: LoadedTarget;
  reporters?: readonly Reporter[];
  logger?: Logger;
  /** Wall ms to wait, after the last reading is acknowledged, for the embedded pipeline to store it. Default 30000. */
  settleTimeoutMs?: number;
  /** SQLite file for the embedded cloud's store, kept after the run (replaced if it exists). Default: in memory. */
  store?: string;
  /** Told about every `progressIntervalMs` of wall time how far the run is, for a progress line. */
  onProgress?: (progress: RunProgress) => void;
  /** Wall ms between progress calls. Default 1000. */
  progressIntervalMs?: number;
  /** Record the run's MQTT traffic as MCAP (telemetry, ground truth, commands, features, alerts). Default: no recording. */
  record?: RecordOptions;
  /** Devices that publish into the run instead of the scenario's twins: a recording's replay (scenarios/recording). Default: the twins. */
  devices?: (context: RunDevicesContext) => Promise<RunFleet>;
}

/** What a run needs of the devices publishing into it: the scenario's twins, or a replay of a recording. */
/** Simulated ms between pipeline barriers (local actions, the cloud's model loop): the finest a command's landing time gets. */
export const COMMAND_BARRIER_MS = 100;

export type RunFleet = Pick<TwinFleet, 'halt' | 'drain' | 'stop' | 'stats' | 'transport' | 'commands' | 'applyStep' | 'telemetrySha256' | 'truthLog'>;

/** What the `devices` option is given to start them: the run's scheduler and links, its target, its simulated span. */
export interface RunDevicesContext {
  scenario: Scenario;
  setting: RunSetting;
  target: RunningTarget;
  startMs: number;
  endMs: number;
  /** Devices bound to hardware, to publish in place of their twins (see TwinFleetOptions.external). */
  external: readonly ExternalDevice[];
  logger?: Logger;
}

/** How far a run is: simulated seconds of its duration, and simulated ÷ wall time so far. */
export interface RunProgress {
  simulatedS: number;
  durationS: number;
  speedup: number;
}

/** The target a run uses: the one given, else the scenario's inline `target:`, else the embedded stack. */
export function targetOf(scenario: Scenario, options: Pick<RunOptions, 'file' | 'target'>): LoadedTarget {
  if (options.target) return options.target;
  const baseDir = options.file ? path.dirname(path.resolve(options.file)) : process.cwd();
  if (scenario.target) return { target: scenario.target, name: scenario.target.kind === 'embedded' ? 'embedded' : `${options.file ?? scenario.name} target:`, baseDir };
  return { target: { kind: 'embedded', skip: [] }, name: 'embedded', baseDir };
}

/**
 * Runs a scenario over real MQTT against its target and judges its expectations from what the run observed. Throws
 * a ConfigError (before anything starts) for an expectation the target cannot judge; never for a failed one.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const seed = options.seed ?? scenario.seed;
  const loaded = targetOf(scenario, options);
  const planned = planRun(scenario, loaded.target, { targetName: loaded.name, ...(options.file ? { file: options.file } : {}), ...(options.source ? { source: options.source } : {}), ...(options.devices ? { replay: true } : {}) });
  const reporters = options.reporters ?? [];
  const reporterErrors: string[] = [];
  const notify = async <K extends keyof Reporter>(hook: K, arg: Parameters<NonNullable<Reporter[K]>>[0]) => {
    for (const reporter of reporters) {
      try {
        await (reporter[hook] as ((a: typeof arg) => void | Promise<void>) | undefined)?.call(reporter, arg);
      } catch (error) {
        reporterErrors.push(`${reporter.constructor.name}.${hook}: ${(error as Error).message}`);
        options.logger?.error({ err: error, hook }, 'a reporter failed; the run goes on');
      }
    }
  };

  const ignored =
    loaded.target.kind === 'embedded'
      ? []
      : [...(scenario.rules.length ? ['rules:'] : []), ...(scenario.gateway ? ['gateway:'] : []), ...(scenario.gateways ? ['gateways:'] : []), ...(scenario.cloud ? ['cloud:'] : [])];
  const notes = [
    ...(ignored.length ? [`${ignored.join(' and ')} configure the embedded stack; ${loaded.name} is judged on what it does itself`] : []),
    ...(options.devices ? (loaded.target.hardware ?? []).map((b) => `${b.device} is live hardware (the target's hardware:), not the recording: its readings are the device's own, and its steps go to the device`) : []),
  ];
  await notify('onBegin', {
    scenario: scenario.name,
    file: options.file,
    seed,
    durationS: scenario.durationS,
    timeScale: scenario.timeScale,
    target: loaded.name,
    ...(notes.length ? { notes } : {}),
  });
  const startMs = Date.parse(scenario.startTime);
  const endMs = startMs + scenario.durationS * 1000;
  const clock: Clock =
    scenario.timeScale === 'max' ? new VirtualClock(startMs) : new ScaledRealClock({ factor: scenario.timeScale, startMs });
  const wallStart = monotonicWallMs();
  const setting = runSetting(scenario, seed, clock, startMs);
  const logger = options.logger;
  let target: RunningTarget | undefined;
  let fleet: RunFleet | undefined;
  let recording: RunRecording | undefined;
  let hardware: HardwareSet | undefined;
  const stepCancels: Cancel[] = [];
  let progressTimer: ReturnType<typeof setInterval> | undefined;
  const applied: RunTimeline['steps'] = [];
  let result: RunResult;
  try {
    target =
      loaded.target.kind === 'embedded'
        ? await EmbeddedTarget.start({ scenario, config: loaded.target, baseDir: loaded.baseDir, clock, links: setting.links, settleTimeoutMs: options.settleTimeoutMs ?? 30_000, ...(options.store ? { databasePath: options.store } : {}), ...(logger ? { logger } : {}) })
        : await MqttTarget.start({ name: loaded.name, config: loaded.target, baseDir: loaded.baseDir, clock, ...(logger ? { logger } : {}) });
    // Its taps subscribe before the twins connect, so the recording misses nothing they publish.
    if (options.record) recording = await RunRecording.start(options.record, { scenario, ...(options.source !== undefined ? { source: options.source } : {}), ...(options.file ? { file: options.file } : {}), seed, loaded, target, clock, startMs, ...(logger ? { logger } : {}) });
    // Twins bound to hardware (the target's hardware:) are not simulated: their devices publish in their place.
    hardware = await openHardware(loaded.target.hardware, { clock, startMs, defaultUrl: target.devices.url, ...(logger ? { logger } : {}) });
    // At timeScale max the twins run ahead of the pipeline by however much this machine allows; with local actions
    // that would decide when a command lands, and so the twin's signal after it. Instead, every COMMAND_BARRIER_MS of
    // simulated time the clock waits for the pipeline, and the twins take its commands then: same seed, same bytes.
    // Local actions, and the cloud's model loop, act on what the pipeline saw: simulated time waits for the pipeline.
    const barriered = (scenario.gateway?.actions.length ?? 0) > 0 || scenario.cloud?.models === true;
    const barrier = clock instanceof VirtualClock && !options.devices && barriered ? target.barrier?.bind(target) : undefined;
    const twins = options.devices
      ? undefined
      : await startScenarioFleet(scenario, setting, {
          holdCommands: barrier !== undefined,
          external: hardware.devices,
          brokerUrl: target.devices.url,
          connection: target.devices,
          baseDir: target.baseDir,
          truth: target.truth,
          startMs,
          endMs,
          logger,
        });
    fleet = twins ?? (await options.devices!({ scenario, setting, target, startMs, endMs, external: hardware.devices, ...(logger ? { logger } : {}) }));
    const releaseCommands =
      barrier && twins
        ? async () => {
            await barrier(twins);
            twins.releaseCommands();
          }
        : undefined;
    if (releaseCommands) stepCancels.push(setting.scheduler.every(COMMAND_BARRIER_MS, releaseCommands, { startMs: startMs + COMMAND_BARRIER_MS, endMs }));
    target.observer.log.watch(await watchedSeries(scenario));
    const running = fleet;
    const bound = hardware;
    scenario.steps.forEach((step, i) => {
      const atMs = startMs + step.atS * 1000;
      const command: CommandV1 = { type: 'cmd', v: 1, device: step.device, tsMs: atMs, id: `step-${i + 1}`, action: step.action, ...(step.args ? { args: step.args } : {}) };
      const part = systemPart(scenario, step.device);
      const system = part !== undefined && target ? { target, part } : undefined;
      stepCancels.push(
        setting.scheduler.at(atMs, async () => {
          // A fleet's shared broker acknowledges the twins' readings for its gateways: it takes all they sent before one dies.
          if (scenario.gateways && isGatewayPart(part)) await running.drain();
          // A step on the system (a gateway crash) holds simulated time until it is done, as a step on a twin does.
          const outcome = system ? await (system.target.act?.(system.part, step.action, step.args ?? {}) ?? Promise.resolve('not supported by this target')) : bound.has(step.device) ? await bound.command(step.device, command) : running.applyStep(step.device, command);
          applied.push({ device: step.device, action: step.action, atS: step.atS, outcome: outcome ?? 'not supported by this device' });
        }),
      );
    });

    const onProgress = options.onProgress;
    if (onProgress) {
      const report = () => {
        const simulatedS = Math.min(Math.max(clock.now() - startMs, 0), endMs - startMs) / 1000;
        onProgress({ simulatedS, durationS: scenario.durationS, speedup: (simulatedS * 1000) / Math.max(monotonicWallMs() - wallStart, 1) });
      };
      // A timer, not a clock event: it must not change the order of simulated events. unref: it never holds the process.
      progressTimer = setInterval(report, options.progressIntervalMs ?? 1000);
      progressTimer.unref();
    }
    await runClockUntil(clock, endMs);
    await releaseCommands?.();
    fleet.halt();
    await drainLinks(setting.links, clock);
    await fleet.drain();
    const settled = await target.settle(fleet);
    const wallMs = monotonicWallMs() - wallStart;
    await recording?.stop(fleet);

    const log = target.observer.log;
    const published = fleet.stats();
    const stored = await target.stored?.();
    const delivered = log.coverage();
    const peaks = new Map([...log.streams].map(([key, stream]) => [key, stream.peaks]));
    const figures = (await target.figures?.()) ?? {};
    const transport = fleet.transport();
    const evidence: RunEvidence = {
      scenario,
      startMs,
      alerts: [...log.alerts].sort((a, b) => a.tsMs - b.tsMs),
      published,
      ...(stored ? { stored } : {}),
      ...(delivered.length ? { delivered } : {}),
      duplicatesDropped: delivered.reduce((n, c) => n + c.copies, 0),
      peaks,
      commands: fleet.commands().map((c) => ({ device: c.device, action: c.command.action, ...(c.command.args ? { args: c.command.args } : {}), atS: c.atS })),
      ...lifecycleEvidence(log, startMs),
      ...(setting.links.size ? { links: linkEvidence(setting.links) } : {}),
      bytes: {
        published: sum(published.map((p) => p.bytes)),
        observed: log.bytes,
        ...(figures.edge ? { edge: { in: figures.edge.bytesIn, out: figures.edge.bytesOut } } : {}),
      },
      wall: {
        connectMs: transport.connectMs,
        pubackMs: transport.pubackMs,
        ...(figures.actionLatency ? { actionLatency: { count: figures.edge?.commands ?? 0, ...figures.actionLatency } } : {}),
      },
    };
    const expectations: ExpectationResult[] = [];
    for (const plan of planned) {
      const outcome = plan.skipped ? skippedResult(plan.expectation, plan.skipped) : evaluate(plan.expectation, evidence);
      expectations.push(outcome);
      await notify('onExpectation', outcome);
    }
    const simulatedS = scenario.durationS;
    result = {
      scenario: scenario.name,
      ...(options.file ? { file: options.file } : {}),
      seed,
      target: loaded.name,
      passed: expectations.every((e) => e.passed || e.skipped !== undefined),
      simulatedS,
      expectations,
      stats: {
        published: sum(published.map((p) => p.sent)),
        acked: sum(published.map((p) => p.acked)),
        stored: sum((stored ?? delivered).map((s) => s.count)),
        windows: sum([...log.streams.values()].map((s) => s.windows.size)),
        duplicatesDropped: evidence.duplicatesDropped,
        ...(figures.deadLettered !== undefined ? { deadLettered: figures.deadLettered } : {}),
        alerts: log.alerts.filter((a) => a.state === 'raised').length,
        bytesPublished: sum(published.map((p) => p.bytes)),
        ...qosStats(published, stored ?? delivered),
        droppedBySensors: sum(published.map((p) => p.dropped)),
        ...(figures.edge ? { edge: figures.edge } : {}),
        observed: { messages: log.messages, bytes: log.bytes, unmapped: Object.fromEntries(log.unmapped) },
        devices: {
          connected: transport.connectsEstablished,
          failed: transport.devicesFailed,
          errors: transport.errors,
          ...(Object.keys(transport.pubackReasons).length ? { pubackReasons: transport.pubackReasons } : {}),
        },
        commandsReceived: fleet.commands().length,
        ...(hardware.size ? { hardware: hardware.report() } : {}),
      },
      timeline: { ...buildTimeline(scenario, startMs, log, fleet.commands()), steps: applied },
      telemetrySha256: fleet.telemetrySha256(),
      ...(setting.links.size ? { links: linkReport(setting.links) } : {}),
      wall: {
        ms: Math.round(wallMs),
        speedup: Number(((simulatedS * 1000) / wallMs).toFixed(2)),
        connectP50Ms: round(transport.connectMs.p50Ms),
        connectP99Ms: round(transport.connectMs.p99Ms),
        pubackP50Ms: round(transport.pubackMs.p50Ms),
        pubackP99Ms: round(transport.pubackMs.p99Ms),
        pubackMaxMs: round(transport.pubackMs.maxMs),
        settle: { how: settled.how, waitedMs: Math.round(settled.waitedMs) },
        ...(figures.actionLatency ? { actionLatencyP50Ms: figures.actionLatency.p50Ms, actionLatencyP99Ms: figures.actionLatency.p99Ms } : {}),
      },
    };
  } finally {
    await recording?.stop();
    clearInterval(progressTimer);
    stepCancels.splice(0).forEach((cancel) => cancel());
    await fleet?.stop();
    await hardware?.close();
    setting.stop();
    await target?.stop();
  }
  await notify('onEnd', result);
  if (reporterErrors.length) result.reporterErrors = reporterErrors;
  return result;
}

/**
 * After the last reading, lets simulated time run on (at most an hour) until the links have delivered what they
 * hold: a partition that outlasts the run still heals, and its QoS 1 readings still arrive, as they would.
 */
async function drainLinks(links: ReadonlyMap<string, SimulatedLink>, clock: Clock): Promise<void> {
  if (!(clock instanceof VirtualClock)) return;
  for (let s = 0; s < 3600 && linkBacklog(links) > 0; s++) await clock.runUntil(clock.now() + 1000);
}

async function runClockUntil(clock: Clock, endMs: number): Promise<void> {
  if (clock instanceof VirtualClock) return clock.runUntil(endMs);
  await new Promise<void>((resolve) => clock.schedule(endMs, () => resolve()));
}

function qosStats(published: readonly DeviceStats[], stored: readonly StoredCount[]): Pick<RunStats, 'qos0' | 'qos1'> {
  const storedOf = (d: DeviceStats) => stored.find((s) => s.device === d.device && s.sensor === d.sensor)?.count ?? 0;
  const of = (qos: 0 | 1) => published.filter((d) => d.qos === qos);
  const qos0Published = sum(of(0).map((d) => d.sent));
  const qos0Stored = sum(of(0).map(storedOf));
  return {
    qos1: { published: sum(of(1).map((d) => d.sent)), stored: sum(of(1).map(storedOf)) },
    qos0: { published: qos0Published, stored: qos0Stored, lost: qos0Published - qos0Stored },
  };
}

/** What a simulated link carried, over every QoS: the figures the report and the expectations share. */
function linkTotals({ model, channel }: SimulatedLink) {
  const c = channel.counters();
  return {
    sent: c.sent[0] + c.sent[1] + c.sent[2],
    delivered: c.delivered[0] + c.delivered[1] + c.delivered[2],
    lostQos0: c.lostQos0,
    retransmittedQos1: c.retransmitted[1] + c.retransmitted[2],
    duplicated: model.counters().duplicated,
  };
}

function linkReport(links: ReadonlyMap<string, SimulatedLink>): NonNullable<RunResult['links']> {
  const report: NonNullable<RunResult['links']> = {};
  for (const [name, { model, channel }] of links) {
    const latencyMs = model.counters().latencyMs;
    report[name] = { ...linkTotals({ model, channel }), latencyP50Ms: Number(latencyMs.percentile(50).toFixed(3)), latencyP99Ms: Number(latencyMs.percentile(99).toFixed(3)) };
  }
  return report;
}

/** What each simulated link did, for expectations: its counters, what it still owed, and its latency histogram. */
function linkEvidence(links: ReadonlyMap<string, SimulatedLink>): Record<string, LinkEvidence> {
  const evidence: Record<string, LinkEvidence> = {};
  for (const [name, { model, channel }] of links) {
    const owed = channel.backlog();
    evidence[name] = { ...linkTotals({ model, channel }), owed: owed.held + owed.inFlight + owed.retrying, latencyMs: model.counters().latencyMs };
  }
  return evidence;
}

function round(ms: number): number {
  return Number.isFinite(ms) ? Number(ms.toFixed(3)) : 0;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
