import type { Logger } from 'pino';
import { monotonicWallMs, ScaledRealClock, VirtualClock, type Clock } from '../sim';
import { evaluate, type ExpectationResult } from './expectations';
import type { Reporter, RunResult } from './reporter';
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
    await stack.fleet.drain();
    await settle(stack, options.settleTimeoutMs ?? 30_000);
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
        stored: cloudStats.stored,
        duplicatesDropped: cloudStats.duplicatesDropped,
        deadLettered: (await stack.storage.counts()).deadLetters,
        alerts: alerts.filter((a) => a.state === 'raised').length,
        bytesPublished: sum(published.map((p) => p.bytes)),
      },
      telemetrySha256: stack.fleet.telemetrySha256(),
    };
  } finally {
    await stack.stop();
  }
  await notify('onEnd', result);
  if (reporterErrors.length) result.reporterErrors = reporterErrors;
  return result;
}

async function runClockUntil(clock: Clock, endMs: number): Promise<void> {
  if (clock instanceof VirtualClock) return clock.runUntil(endMs);
  await new Promise<void>((resolve) => clock.schedule(endMs, () => resolve()));
}

/** Waits until everything the gateway has received is stored in the cloud, or the timeout passes. */
async function settle(stack: Stack, timeoutMs: number): Promise<void> {
  const acked = sum(stack.fleet.stats().map((s) => s.acked));
  const deadline = monotonicWallMs() + timeoutMs;
  while (monotonicWallMs() < deadline) {
    const gw = stack.gateway.counters();
    const cloud = stack.cloud.stats();
    const gatewayDone = gw.received >= acked && gw.featuresAcked + gw.uplinkErrors >= gw.featuresPublished;
    if (gatewayDone && cloud.stored + cloud.duplicatesDropped >= gw.featuresPublished) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await stack.cloud.idle();
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
