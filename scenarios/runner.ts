import type { Logger } from 'pino';
import { monotonicWallMs, ScaledRealClock, VirtualClock, type Clock } from '../sim';
import { evaluate, type ExpectationResult } from './expectations';
import type { SequenceSummary } from '../cloud';
import type { DeviceStats } from '../twins';
import type { Reporter, RunResult, RunStats } from './reporter';
import type { Scenario } from './schema';
import { startStack, type Stack } from './stack';

export interface RunOptions {
  /** The scenario file, for reports. */
  file?: string;
  /** Overrides the scenario's seed. */
  seed?: string | number;
  reporters?: readonly Reporter[];
  logger?: Logger;
  /** Wall ms to wait, after the last reading is acknowledged, for the pipeline to store it. Default 30000. */
  settleTimeoutMs?: number;
}

/** Runs a scenario end to end over real MQTT and judges its expectations. Never throws for a failed expectation. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const seed = options.seed ?? scenario.seed;
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

  await notify('onBegin', { scenario: scenario.name, file: options.file, seed, durationS: scenario.durationS, timeScale: scenario.timeScale });
  const startMs = Date.parse(scenario.startTime);
  const endMs = startMs + scenario.durationS * 1000;
  const clock: Clock =
    scenario.timeScale === 'max' ? new VirtualClock(startMs) : new ScaledRealClock({ factor: scenario.timeScale, startMs });
  const wallStart = monotonicWallMs();
  const stack = await startStack({ scenario, seed, clock, startMs, endMs, logger: options.logger });
  const peaks = new Map<string, Record<string, number>>();
  stack.cloud.on('features', (record) => {
    const key = `${record.device}/${record.sensor}`;
    const peak = peaks.get(key) ?? {};
    for (const [metric, value] of Object.entries(record.features)) peak[metric] = Math.max(peak[metric] ?? -Infinity, value);
    peaks.set(key, peak);
  });

  let result: RunResult;
  try {
    await runClockUntil(clock, endMs);
    stack.fleet.halt();
    await drainLinks(stack, clock);
    await stack.fleet.drain();
    await settle(stack, clock, options.settleTimeoutMs ?? 30_000);
    const wallMs = monotonicWallMs() - wallStart;

    const published = stack.fleet.stats();
    const cloudStats = stack.cloud.stats();
    const alerts = await stack.storage.alerts();
    const evidence = {
      scenario,
      startMs,
      alerts,
      published,
      stored: await stack.storage.sequences(),
      duplicatesDropped: cloudStats.duplicatesDropped,
      peaks,
    };
    const expectations: ExpectationResult[] = [];
    for (const expectation of scenario.expect) {
      const outcome = evaluate(expectation, evidence);
      expectations.push(outcome);
      await notify('onExpectation', outcome);
    }
    result = {
      scenario: scenario.name,
      ...(options.file ? { file: options.file } : {}),
      seed,
      passed: expectations.every((e) => e.passed),
      simulatedS: scenario.durationS,
      wallMs: Math.round(wallMs),
      speedup: (scenario.durationS * 1000) / wallMs,
      expectations,
      stats: {
        published: sum(published.map((p) => p.sent)),
        acked: sum(published.map((p) => p.acked)),
        stored: sum(evidence.stored.map((s) => s.count)),
        windows: cloudStats.stored,
        duplicatesDropped: cloudStats.duplicatesDropped,
        deadLettered: (await stack.storage.counts()).deadLetters,
        alerts: alerts.filter((a) => a.state === 'raised').length,
        bytesPublished: sum(published.map((p) => p.bytes)),
        ...qosStats(published, evidence.stored),
        droppedBySensors: sum(published.map((p) => p.dropped)),
        edge: edgeStats(stack),
      },
      telemetrySha256: stack.fleet.telemetrySha256(),
      ...(stack.links.size ? { links: linkReport(stack) } : {}),
    };
  } finally {
    await stack.stop();
  }
  await notify('onEnd', result);
  if (reporterErrors.length) result.reporterErrors = reporterErrors;
  return result;
}

/** Messages the simulated links still hold, carry or will retry. */
function linkBacklog(stack: Stack): number {
  let total = 0;
  for (const { channel } of stack.links.values()) {
    const backlog = channel.backlog();
    total += backlog.held + backlog.inFlight + backlog.retrying;
  }
  return total;
}

/**
 * After the last reading, lets simulated time run on (at most an hour) until the links have delivered what they
 * hold: a partition that outlasts the run still heals, and its QoS 1 readings still arrive, as they would.
 */
async function drainLinks(stack: Stack, clock: Clock): Promise<void> {
  if (!(clock instanceof VirtualClock)) return;
  for (let s = 0; s < 3600 && linkBacklog(stack) > 0; s++) await clock.runUntil(clock.now() + 1000);
}

async function runClockUntil(clock: Clock, endMs: number): Promise<void> {
  if (clock instanceof VirtualClock) return clock.runUntil(endMs);
  await new Promise<void>((resolve) => clock.schedule(endMs, () => resolve()));
}

/**
 * Waits until everything the gateway accepted is processed, sent, acknowledged and received by the cloud, or the
 * timeout passes. On a virtual clock simulated time moves on while anything is still on its way: the uplink crosses
 * simulated links, and nothing else would advance it.
 */
async function settle(stack: Stack, clock: Clock, timeoutMs: number): Promise<void> {
  const acked = sum(stack.fleet.stats().map((s) => s.acked));
  const deadline = monotonicWallMs() + timeoutMs;
  let flushed = false;
  while (monotonicWallMs() < deadline) {
    const gw = stack.gateway.counters();
    if (!flushed && gw.received >= acked) {
      // Every reading is in the gateway: close the windows still open, so their readings go up too.
      await stack.gateway.flush();
      flushed = true;
    }
    const pending = stack.gateway.pending();
    const idle = flushed && linkBacklog(stack) === 0 && pending.inbox === 0 && pending.outbox === 0 && pending.inFlight === 0;
    // Every acknowledged row must have reached the cloud once: a simulated uplink may deliver one twice (the
    // cloud counts the copy as a duplicate) or lose a QoS 0 one (the link counts it).
    const uplinkLost = stack.links.get('edge->cloud')?.channel.counters().lostQos0 ?? 0;
    const cloud = stack.cloud.stats();
    if (idle && cloud.received - cloud.duplicatesDropped + uplinkLost >= gw.uplinkAcked) break;
    if (clock instanceof VirtualClock && (linkBacklog(stack) > 0 || pending.outbox > 0 || pending.inFlight > 0)) {
      await clock.runUntil(clock.now() + 100);
      // Advancing an idle virtual clock settles in microtasks only: yield, or sockets never get to deliver.
      await new Promise((resolve) => setImmediate(resolve));
    } else await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await stack.cloud.idle();
}

function qosStats(published: readonly DeviceStats[], stored: readonly SequenceSummary[]): Pick<RunStats, 'qos0' | 'qos1'> {
  const storedOf = (d: DeviceStats) => stored.find((s) => s.device === d.device && s.sensor === d.sensor)?.count ?? 0;
  const of = (qos: 0 | 1) => published.filter((d) => d.qos === qos);
  const qos0Published = sum(of(0).map((d) => d.sent));
  const qos0Stored = sum(of(0).map(storedOf));
  return {
    qos1: { published: sum(of(1).map((d) => d.sent)), stored: sum(of(1).map(storedOf)) },
    qos0: { published: qos0Published, stored: qos0Stored, lost: qos0Published - qos0Stored },
  };
}
function linkReport(stack: Stack): NonNullable<RunResult['links']> {
  const report: NonNullable<RunResult['links']> = {};
  for (const [name, { model, channel }] of stack.links) {
    const c = channel.counters();
    const m = model.counters();
    report[name] = {
      sent: c.sent[0] + c.sent[1] + c.sent[2],
      delivered: c.delivered[0] + c.delivered[1] + c.delivered[2],
      lostQos0: c.lostQos0,
      retransmittedQos1: c.retransmitted[1] + c.retransmitted[2],
      duplicated: m.duplicated,
      latencyP50Ms: Number(m.latencyMs.percentile(50).toFixed(3)),
      latencyP99Ms: Number(m.latencyMs.percentile(99).toFixed(3)),
    };
  }
  return report;
}

function edgeStats(stack: Stack): RunStats['edge'] {
  const gw = stack.gateway.counters();
  const bandwidth = stack.gateway.bandwidth();
  const latency = stack.gateway.actionLatency();
  return {
    bytesIn: bandwidth.bytesIn,
    bytesOut: bandwidth.bytesOut,
    bandwidthReduction: Number(bandwidth.reduction.toFixed(1)),
    rawBytesOut: gw.rawBytesOut,
    events: gw.events,
    commands: gw.commands,
    ...(gw.commands ? { actionLatencyP50Ms: Number(latency.p50Ms.toFixed(2)), actionLatencyP99Ms: Number(latency.p99Ms.toFixed(2)) } : {}),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
