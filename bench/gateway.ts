// Gateway benchmark: 25.6 kHz vibration blocks through the real edge gateway (durable inbox → 1 s Hann windows and
// features → outbox → upstream broker) against a raw aedes pass-through of the same payloads, measured in the same
// run; and ONNX Runtime latency to score one feature window with the shipped pump model.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { featureVector, Gateway, GatewayConfigSchema, inspectOnnx, OnnxRunner, ReferenceScorer } from '../gateway';
import { encodeMessage, filters, topics, type TelemetryV1 } from '../protocol';
import { featureWindows, loadScenario } from '../scenarios';
import { connectMqtt, RandomStreams, ScaledRealClock, startBroker, type MqttClient } from '../sim';
import { createMachines, MachineSchema } from '../twins';
import { machineLine, percentile } from './machine';

export interface GatewayBenchResult {
  /** 25.6 kHz channels per core = gateway blocks per CPU-second of the whole process (publisher and brokers included) ÷ 25. */
  vibrationChannelsRealtimePerCore: number;
  /** Gateway end-to-end blocks/s ÷ raw aedes pass-through blocks/s, wall clock, median over paired rounds. */
  passThroughRatio: number;
  /** The same ratio per CPU-second of the process, median over rounds: steadier when other work shares the machine. */
  passThroughRatioCpu: number;
  /** passThroughRatio with `processing.thread: worker`: decoding, windows and features in a thread of their own. */
  passThroughRatioWorker: number;
  /** Gateway end-to-end blocks/s with the edge worker, median round. */
  gatewayWorkerBlocksPerS: number;
  /** Process CPU-seconds ÷ wall seconds during the edge-worker rounds: up to 2 with both threads busy. */
  gatewayWorkerCpuUtilisation: number;
  ratiosWorker: number[];
  /** ONNX Runtime, one window per run, ms. */
  onnxP50Ms: number;
  onnxP99Ms: number;
  /** The TypeScript reference of the same graph, one window per call, ms. */
  referenceP50Ms: number;
  /** Raw aedes pass-through, publisher → broker → QoS 1 subscriber, blocks/s (wall), median round. */
  passThroughBlocksPerS: number;
  /** Gateway, first publish → last feature window at the upstream subscriber, blocks/s (wall), median round. */
  gatewayBlocksPerS: number;
  /** Same, feature windows/s. */
  gatewayWindowsPerS: number;
  /** Gateway blocks per CPU-second of the whole process, median round. */
  gatewayBlocksPerCpuS: number;
  /** Pass-through blocks per CPU-second of the whole process, median round. */
  passThroughBlocksPerCpuS: number;
  /**
   * Publisher → aedes with no subscriber, blocks per CPU-second, median round: the transport a gateway that takes
   * payloads inside its broker (as twinbed's does) cannot avoid, the pipeline's floor for moving blocks.
   */
  publishOnlyBlocksPerCpuS: number;
  /** Gateway ingest alone: blocks acknowledged by the device broker (in the durable inbox) per second, wall. */
  gatewayIngestBlocksPerS: number;
  /** 25.6 kHz channels in real time from wall-clock throughput (this process's whole thread, publisher included). */
  vibrationChannelsRealtimeWall: number;
  /** Process CPU-seconds ÷ wall seconds during the gateway rounds: about 1 when the JS thread is saturated. */
  gatewayCpuUtilisation: number;
  /** Device payload bytes in ÷ bytes acknowledged upstream. */
  bandwidthReduction: number;
  blocks: number;
  channels: number;
  payloadBytes: number;
  rounds: number;
  ratios: number[];
  onnxRuns: number;
  onnxFeatures: number;
  model: string;
  /** 1-minute load average when the bench started: above the core count, other work shared the machine. */
  loadAverage: number;
}

const RATE_HZ = 25_600;
const BLOCK = 1024;
/** Blocks a 25.6 kHz channel publishes per second (25600 / 1024), and blocks per default 1 s window. */
const BLOCKS_PER_S = RATE_HZ / BLOCK;
const CHANNELS = 8;
/** Per channel a whole number of windows, so none is left open at the end. */
const BLOCKS = CHANNELS * 100 * BLOCKS_PER_S;
const WARMUP_BLOCKS = CHANNELS * 10 * BLOCKS_PER_S;
/** Blocks of real pump signal generated once and reused; the DSP cost does not depend on which block it sees. */
const POOL_BLOCKS = 10 * BLOCKS_PER_S;
/** Unacknowledged QoS 1 publishes, at most: the twins' default. */
const IN_FLIGHT = 64;
const ROUNDS = 5;
const ONNX_WARMUP = 500;
const ONNX_RUNS = 5000;
const SITE = 'bench';
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const MODEL = fileURLToPath(new URL('../scenarios/library/models/pump-accel/model.onnx', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../scenarios/library/bearing-anomaly.yaml', import.meta.url));

interface Block {
  topic: string;
  payload: Buffer;
}

interface Phase {
  wallMs: number;
  /** First publish → last PUBACK, ms. */
  ackedMs: number;
  cpuS: number;
}

/** CBOR telemetry exactly as a twin publishes it, channels interleaved as they would arrive from a fleet. */
async function makeBlocks(): Promise<Block[]> {
  const [pump] = await createMachines(
    { twins: [MachineSchema.parse({ template: 'pump', id: 'pump-1' })], faults: [], startTime: new Date(START_MS).toISOString() },
    new RandomStreams(1),
  );
  const accel = pump!.channels.find((c) => c.sensor === 'accel')!;
  const pool = Array.from({ length: POOL_BLOCKS }, (_, b) => accel.next((b * BLOCK) / RATE_HZ).values.slice());
  const blocks: Block[] = [];
  for (let i = 0; i < BLOCKS; i++) {
    const device = `pump-${(i % CHANNELS) + 1}`;
    const seq = Math.floor(i / CHANNELS);
    const message: TelemetryV1 = {
      type: 'telemetry',
      v: 1,
      device,
      sensor: 'accel',
      seq,
      tsMs: START_MS + (seq * BLOCK * 1000) / RATE_HZ,
      rateHz: RATE_HZ,
      unit: accel.unit,
      values: pool[seq % POOL_BLOCKS]!,
    };
    blocks.push({ topic: topics.telemetry(SITE, device, 'accel'), payload: Buffer.from(encodeMessage(message, 'cbor')) });
  }
  return blocks;
}

/** Publishes every block at QoS 1 with at most IN_FLIGHT unacknowledged; resolves on the last PUBACK. */
function publishAll(client: MqttClient, blocks: readonly Block[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let inFlight = 0;
    const next = () => {
      while (inFlight < IN_FLIGHT && sent < blocks.length) {
        const { topic, payload } = blocks[sent++]!;
        inFlight++;
        client.publish(topic, payload, { qos: 1 }, (error) => {
          if (error) return reject(error);
          inFlight--;
          if (sent === blocks.length && inFlight === 0) resolve();
          else next();
        });
      }
    };
    next();
  });
}

/** Publishes `blocks`, waits until `expected` messages reached `sub` (if any), and times it (wall and process CPU). */
async function timed(pub: MqttClient, blocks: readonly Block[], until?: { sub: MqttClient; expected: number }): Promise<Phase> {
  let received = 0;
  const all = until ? new Promise<void>((resolve) => until.sub.on('message', () => ++received === until.expected && resolve())) : undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await publishAll(pub, blocks);
  const ackedMs = performance.now() - started;
  await all;
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, ackedMs, cpuS: (used.user + used.system) / 1e6 };
}

/** Baseline: publisher → aedes → QoS 1 subscriber, the same payloads, nothing else. */
async function passThrough(blocks: readonly Block[]): Promise<Phase> {
  const broker = await startBroker();
  const sub = await connectMqtt(broker.url);
  await sub.subscribeAsync(filters.telemetry(SITE), { qos: 1 });
  const pub = await connectMqtt(broker.url);
  const phase = await timed(pub, blocks, { sub, expected: blocks.length });
  await pub.endAsync();
  await sub.endAsync();
  await broker.close();
  return phase;
}

/** Publisher → aedes, acknowledged, nothing subscribed: the broker's share without a subscriber's. */
async function publishOnly(blocks: readonly Block[]): Promise<Phase> {
  const broker = await startBroker();
  const pub = await connectMqtt(broker.url);
  const phase = await timed(pub, blocks);
  await pub.endAsync();
  await broker.close();
  return phase;
}

/** Publisher → gateway (default vibration pipeline, in-memory store) → upstream aedes → QoS 1 features subscriber. */
async function throughGateway(blocks: readonly Block[], thread: 'main' | 'worker' = 'main'): Promise<Phase & { reduction: number }> {
  const upstream = await startBroker();
  const gateway = await Gateway.start({
    config: GatewayConfigSchema.parse({ site: SITE, devices: { listen: { port: 0 } }, upstream: { url: upstream.url }, processing: { thread } }),
    clock: new ScaledRealClock(),
  });
  const sub = await connectMqtt(upstream.url);
  await sub.subscribeAsync(filters.features(SITE), { qos: 1 });
  const pub = await connectMqtt(gateway.deviceUrl);
  const windows = blocks.length / BLOCKS_PER_S;
  const phase = await timed(pub, blocks, { sub, expected: windows });
  const counters = gateway.counters();
  if (counters.windows !== windows || counters.deadLettered !== 0 || counters.received !== blocks.length) {
    throw new Error(`gateway bench: expected ${blocks.length} blocks → ${windows} windows, got ${JSON.stringify(counters)}`);
  }
  const { reduction } = gateway.bandwidth();
  await pub.endAsync();
  await sub.endAsync();
  await gateway.stop();
  await upstream.close();
  return { ...phase, reduction };
}

/** Scores real healthy windows of the shipped pump model's scenario one at a time, in ONNX Runtime and in the TS reference. */
async function inference(): Promise<{ onnx: number[]; reference: number[]; features: number; model: string }> {
  const bytes = await readFile(MODEL);
  const info = inspectOnnx(bytes).twinbed;
  if (!info) throw new Error(`${MODEL} is not a twinbed model`);
  const names = info.params.featureNames;
  const scenario = await loadScenario(SCENARIO);
  const windows = await featureWindows(scenario, { device: 'pump-1', seconds: 30 });
  const vectors = windows.map((w) => featureVector(w.features, names, `${w.device}/${w.sensor} seq ${w.seq}`, info.version));
  const runner = await OnnxRunner.load(bytes, { features: [...names] });
  const reference = new ReferenceScorer(info.params);
  const onnx: number[] = [];
  const ref: number[] = [];
  try {
    for (let i = 0; i < ONNX_WARMUP; i++) await runner.scoreOne(vectors[i % vectors.length]!);
    for (let i = 0; i < ONNX_RUNS; i++) {
      const vector = vectors[i % vectors.length]!;
      const started = performance.now();
      await runner.scoreOne(vector);
      onnx.push(performance.now() - started);
    }
  } finally {
    await runner.release();
  }
  for (let i = 0; i < ONNX_WARMUP; i++) reference.score(vectors[i % vectors.length]!);
  for (let i = 0; i < ONNX_RUNS; i++) {
    const vector = vectors[i % vectors.length]!;
    const started = performance.now();
    reference.score(vector);
    ref.push(performance.now() - started);
  }
  return { onnx: onnx.sort((a, b) => a - b), reference: ref.sort((a, b) => a - b), features: names.length, model: info.version };
}

const median = (xs: readonly number[]) => percentile([...xs].sort((a, b) => a - b), 50);

export async function gatewayBench(): Promise<GatewayBenchResult> {
  const loadAverage = os.loadavg()[0]!;
  const blocks = await makeBlocks();
  // JIT warm-up of both paths, discarded.
  await passThrough(blocks.slice(0, WARMUP_BLOCKS));
  await publishOnly(blocks.slice(0, WARMUP_BLOCKS));
  await throughGateway(blocks.slice(0, WARMUP_BLOCKS));
  await throughGateway(blocks.slice(0, WARMUP_BLOCKS), 'worker');
  const raw: Phase[] = [];
  const gw: (Phase & { reduction: number })[] = [];
  const gwWorker: Phase[] = [];
  const published: Phase[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    raw.push(await passThrough(blocks));
    published.push(await publishOnly(blocks));
    gw.push(await throughGateway(blocks));
    gwWorker.push(await throughGateway(blocks, 'worker'));
  }
  const ml = await inference();

  const perS = (p: Phase) => (BLOCKS / p.wallMs) * 1000;
  const perCpuS = (p: Phase) => BLOCKS / p.cpuS;
  const ratios = raw.map((r, i) => perS(gw[i]!) / perS(r));
  const ratiosWorker = raw.map((r, i) => perS(gwWorker[i]!) / perS(r));
  const utilisation = (phases: Phase[]) => phases.reduce((s, p) => s + p.cpuS, 0) / (phases.reduce((s, p) => s + p.wallMs, 0) / 1000);
  const gatewayBlocksPerS = median(gw.map(perS));
  const gatewayBlocksPerCpuS = median(gw.map(perCpuS));
  const round = (x: number, digits = 2) => Number(x.toFixed(digits));
  return {
    vibrationChannelsRealtimePerCore: Math.floor(gatewayBlocksPerCpuS / BLOCKS_PER_S),
    passThroughRatio: round(median(ratios), 3),
    passThroughRatioCpu: round(median(raw.map((r, i) => perCpuS(gw[i]!) / perCpuS(r))), 3),
    passThroughRatioWorker: round(median(ratiosWorker), 3),
    gatewayWorkerBlocksPerS: Math.round(median(gwWorker.map(perS))),
    gatewayWorkerCpuUtilisation: round(utilisation(gwWorker)),
    ratiosWorker: ratiosWorker.map((r) => round(r, 3)),
    onnxP50Ms: round(percentile(ml.onnx, 50), 4),
    onnxP99Ms: round(percentile(ml.onnx, 99), 4),
    referenceP50Ms: round(percentile(ml.reference, 50), 4),
    passThroughBlocksPerS: Math.round(median(raw.map(perS))),
    gatewayBlocksPerS: Math.round(gatewayBlocksPerS),
    gatewayWindowsPerS: round(gatewayBlocksPerS / BLOCKS_PER_S, 1),
    gatewayBlocksPerCpuS: Math.round(gatewayBlocksPerCpuS),
    passThroughBlocksPerCpuS: Math.round(median(raw.map(perCpuS))),
    publishOnlyBlocksPerCpuS: Math.round(median(published.map(perCpuS))),
    gatewayIngestBlocksPerS: Math.round(median(gw.map((p) => (BLOCKS / p.ackedMs) * 1000))),
    vibrationChannelsRealtimeWall: Math.floor(gatewayBlocksPerS / BLOCKS_PER_S),
    gatewayCpuUtilisation: round(utilisation(gw)),
    bandwidthReduction: round(median(gw.map((p) => p.reduction)), 1),
    blocks: BLOCKS,
    channels: CHANNELS,
    payloadBytes: blocks[0]!.payload.length,
    rounds: ROUNDS,
    ratios: ratios.map((r) => round(r, 3)),
    onnxRuns: ONNX_RUNS,
    onnxFeatures: ml.features,
    model: ml.model,
    loadAverage: round(loadAverage),
  };
}

export function formatGateway(r: GatewayBenchResult): string {
  const k = (x: number) => `${(x / 1000).toFixed(1)} k`;
  return [
    `gateway: ${r.blocks} blocks of 1024 float32 samples (25.6 kHz, ${r.payloadBytes} B CBOR) from ${r.channels} channels, QoS 1, ` +
      `≤ ${IN_FLIGHT} in flight, median of ${r.rounds} paired rounds, all in one Node process on ${machineLine()}, load average ${r.loadAverage}`,
    `  raw aedes pass-through, publisher → broker → subscriber (baseline)   ${k(r.passThroughBlocksPerS)} blocks/s   ${k(r.passThroughBlocksPerCpuS)} blocks/CPU-s`,
    `  publisher → broker, nothing subscribed (the transport a gateway inside its broker still pays)   ${k(r.publishOnlyBlocksPerCpuS)} blocks/CPU-s`,
    `  gateway, publisher → inbox → 1 s Hann windows + features → outbox → upstream broker → subscriber`,
    `                                                                       ${k(r.gatewayBlocksPerS)} blocks/s   ${k(r.gatewayBlocksPerCpuS)} blocks/CPU-s   ` +
      `×${r.passThroughRatio} of baseline (rounds ${r.ratios.join(', ')}; per CPU-s ×${r.passThroughRatioCpu})`,
    `    feature windows ${r.gatewayWindowsPerS}/s; device ingest alone (PUBACKed into the inbox) ${k(r.gatewayIngestBlocksPerS)} blocks/s; bytes in ÷ out ×${r.bandwidthReduction}`,
    `  the same, processing.thread: worker (decode, windows, features in a thread of their own)`,
    `                                                                       ${k(r.gatewayWorkerBlocksPerS)} blocks/s   ` +
      `×${r.passThroughRatioWorker} of baseline (rounds ${r.ratiosWorker.join(', ')}) at ${r.gatewayWorkerCpuUtilisation} CPU-s per s`,
    `    real-time 25.6 kHz channels per core: ${r.vibrationChannelsRealtimePerCore} (per CPU-second of the whole process; ` +
      `${r.vibrationChannelsRealtimeWall} by wall clock on its one JS thread at ${r.gatewayCpuUtilisation} CPU-s per s)`,
    `  anomaly model ${r.model} (${r.onnxFeatures} features), one window per call, ${r.onnxRuns} calls after warm-up`,
    `    ONNX Runtime           p50 ${r.onnxP50Ms} ms   p99 ${r.onnxP99Ms} ms`,
    `    TypeScript reference   p50 ${r.referenceP50Ms} ms`,
  ].join('\n');
}
