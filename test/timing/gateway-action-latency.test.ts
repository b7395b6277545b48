import { afterEach, describe, expect, it } from 'vitest';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { decodeAs, encodeMessage, topics, type CommandV1, type TelemetryV1 } from '../../protocol';
import { connectMqtt, LatencyHistogram, monotonicWallMs, ScaledRealClock, startBroker } from '../../sim';
import { waitUntil } from '../support/twinbed-process';

const SITE = 'lat';
const DEVICE = 'pump-1';
const RULE = 'rms-high';
/** One block is 40 samples at 4 kHz = 10 ms of signal, and one is published every 10 ms of wall time: ×1. */
const SAMPLES = 40;
const RATE_HZ = 4000;
const BLOCK_MS = (SAMPLES / RATE_HZ) * 1000;
/** Each cycle: two quiet blocks, then one loud block that raises; the next cycle's first quiet block clears it. */
const QUIET_PER_CYCLE = 2;
/** 300 raises, so p99 is the 297th: three stalls of the shared 2-core machine do not decide it. */
const CYCLES = 300;
const START_MS = Date.UTC(2026, 0, 1);

/** A square wave of ±amplitude: its RMS is exactly `amplitude`. */
function block(seq: number, amplitude: number): TelemetryV1 {
  const values = Array.from({ length: SAMPLES }, (_, i) => (i % 2 === 0 ? amplitude : -amplitude));
  return { type: 'telemetry', v: 1, device: DEVICE, sensor: 'accel', seq, tsMs: START_MS + seq * BLOCK_MS, rateHz: RATE_HZ, unit: 'g', values };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const fmt = (ms: number) => ms.toFixed(2);

describe('local action latency at ×1 over loopback', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sends the stop command within 50 ms of detection at p99, one command per raised alert, over 300 raise/clear cycles', async () => {
    const cloud = await startBroker({ id: 'latency-cloud' });
    cleanups.push(() => cloud.close());
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({
        site: SITE,
        devices: { listen: { port: 0 } },
        upstream: { url: cloud.url },
        statusIntervalS: 3600,
        pipelines: [{ sensors: ['accel'], window: { blocks: 1, function: 'rect' }, features: { stats: ['rms', 'peak', 'crest'] } }],
        // Quiet blocks (RMS 0.1) sit under clearBelow, loud ones (RMS 1) over `above`: every loud block raises anew.
        rules: [{ name: RULE, metric: 'rms', sensor: 'accel', above: 0.5, clearBelow: 0.3 }],
        actions: [{ on: RULE, action: 'stop' }],
      }),
      clock: new ScaledRealClock({ factor: 1 }),
    });
    cleanups.push(() => gateway.stop());

    const device = await connectMqtt(gateway.deviceUrl, { clientId: `${DEVICE}-latency` });
    cleanups.push(() => device.endAsync());
    /** Wall time each loud block was handed to the socket, by its event time (which the command carries). */
    const publishedWallMs = new Map<number, number>();
    const commands: { command: CommandV1; latencyMs: number }[] = [];
    device.on('message', (_topic, payload) => {
      const receivedWallMs = monotonicWallMs();
      const command = decodeAs(payload, 'cmd');
      commands.push({ command, latencyMs: receivedWallMs - (publishedWallMs.get(command.tsMs) ?? NaN) });
    });
    await device.subscribeAsync(topics.cmd(SITE, DEVICE), { qos: 1 });

    const telemetryTopic = topics.telemetry(SITE, DEVICE, 'accel');
    const loudTsMs: number[] = [];
    const blocks = CYCLES * (QUIET_PER_CYCLE + 1) + QUIET_PER_CYCLE;
    const wallStartMs = monotonicWallMs();
    for (let seq = 0; seq < blocks; seq++) {
      // Deadlines from the start, not from the last send, so timer slack does not accumulate into a slower rate.
      await sleep(wallStartMs + seq * BLOCK_MS - monotonicWallMs());
      const loud = seq % (QUIET_PER_CYCLE + 1) === QUIET_PER_CYCLE;
      const message = block(seq, loud ? 1 : 0.1);
      if (loud) {
        loudTsMs.push(message.tsMs);
        publishedWallMs.set(message.tsMs, monotonicWallMs());
      }
      device.publish(telemetryTopic, Buffer.from(encodeMessage(message)), { qos: 1 });
    }
    const elapsedMs = monotonicWallMs() - wallStartMs;
    // The pacing held: the run took about as long as its signal, so this is ×1, not a burst.
    expect(elapsedMs / (blocks * BLOCK_MS)).toBeGreaterThan(0.95);
    expect(elapsedMs / (blocks * BLOCK_MS)).toBeLessThan(1.25);

    const drained = () => gateway.counters().received === blocks && gateway.pending().inbox === 0;
    expect(await waitUntil(() => drained() && commands.length >= CYCLES && gateway.actionLatency().count >= CYCLES, 10_000)).toBe(true);
    // Exactly one stop per loud block, in order, each carrying the event time of the window that raised it.
    expect(commands).toHaveLength(CYCLES);
    expect(commands.map((c) => c.command.tsMs)).toEqual(loudTsMs);
    expect(commands.every((c) => c.command.action === 'stop' && c.command.device === DEVICE)).toBe(true);
    expect(new Set(commands.map((c) => c.command.id)).size).toBe(CYCLES);
    // Every loud block raised and the quiet block after it cleared: 2 events per cycle.
    expect(gateway.counters()).toMatchObject({ received: blocks, windows: blocks, events: 2 * CYCLES, commands: CYCLES, deadLettered: 0 });

    const detection = gateway.actionLatency();
    const observed = new LatencyHistogram();
    for (const { latencyMs } of commands) observed.record(latencyMs);
    const deviceView = observed.summary();
    console.log(
      `action latency ×1, ${CYCLES} raises: detection→command acked p50 ${fmt(detection.p50Ms)} ms, p99 ${fmt(detection.p99Ms)} ms, max ${fmt(detection.maxMs)} ms; ` +
        `device publish→cmd received p50 ${fmt(deviceView.p50Ms)} ms, p99 ${fmt(deviceView.p99Ms)} ms, max ${fmt(deviceView.maxMs)} ms`,
    );
    expect(detection.count).toBe(CYCLES);
    expect(detection.p99Ms).toBeLessThan(50);
    // The device's view adds ingest (broker → inbox → pipeline → rule) and the command's trip back: 3–14 ms at p99
    // with the machine to itself (test/timing runs alone), 70 ms when a CPU-bound test shared it.
    expect(deviceView.p99Ms).toBeLessThan(50);
  });
});
