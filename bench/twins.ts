// Twin generation benchmark: vibration samples per second on one core against a naive per-sample Math.sin
// implementation measured in the same run, and the wall time to generate an hour of a 20-machine factory.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadScenario } from '../scenarios';
import { createRng, RandomStreams } from '../sim';
import { createMachines, MachineSchema } from '../twins';
import { machineLine } from './machine';

export interface TwinsBenchResult {
  /** Vibration samples per second from one pump's accelerometer channel (physics + full sensor model), one core. */
  samplesPerSecPerCore: number;
  /** Same count from the naive loop: Math.sin and a seedrandom Gaussian per sample. */
  naiveSamplesPerSec: number;
  naiveRatio: number;
  /** 25.6 kHz channels that one core keeps up with in real time. */
  realtimeChannelsPerCore: number;
  /** Wall seconds to generate one simulated hour of scenarios/library/factory-20.yaml on every core. */
  factoryHourWallS: number;
  /** CPU seconds the same hour took, summed over the workers (≈ wall time on one core). */
  factoryHourCpuS: number;
  workers: number;
  factorySamples: number;
}

const RATE_HZ = 25_600;
const BLOCK = 1024;
/** Simulated seconds per measurement; each is run once first so V8 has compiled the hot loops. */
const SECONDS = 60;
const FACTORY = fileURLToPath(new URL('../scenarios/library/factory-20.yaml', import.meta.url));
/** The factory's machines run for a simulated hour, whatever the library file's own duration. */
const HOUR_S = 3600;

/** The loop someone writes first: every sample computes its own sine and its own Gaussian. */
function naiveSamplesPerSec(): number {
  const rng = createRng('naive');
  const omega = (2 * Math.PI * 1480) / 60;
  const out = new Float32Array(BLOCK);
  const started = performance.now();
  for (let b = 0; b < (SECONDS * RATE_HZ) / BLOCK; b++) {
    for (let i = 0; i < BLOCK; i++) {
      const t = (b * BLOCK + i) / RATE_HZ;
      out[i] = 0.03 * Math.sin(omega * t) + 0.0113 * rng.normal();
    }
  }
  return ((SECONDS * RATE_HZ) / (performance.now() - started)) * 1000;
}

async function twinSamplesPerSec(): Promise<number> {
  const [pump] = await createMachines(
    { twins: [MachineSchema.parse({ template: 'pump', id: 'pump-1' })], faults: [], startTime: '2026-01-01T00:00:00Z' },
    new RandomStreams(1),
  );
  const accel = pump!.channels.find((c) => c.sensor === 'accel')!;
  const started = performance.now();
  for (let b = 0; b < (SECONDS * RATE_HZ) / BLOCK; b++) accel.next((b * BLOCK) / RATE_HZ);
  return ((SECONDS * RATE_HZ) / (performance.now() - started)) * 1000;
}

/** Splits the factory across one worker per core, heaviest machines first (accelerometers dominate). */
export async function factoryHour(seconds = HOUR_S): Promise<{ wallS: number; cpuS: number; workers: number; samples: number }> {
  const scenario = await loadScenario(FACTORY);
  const workers = Math.max(1, availableParallelism());
  const cost = (t: (typeof scenario.twins)[number]) => (t.template === 'pump' || t.template === 'fan' ? 100 : t.template === 'robot-arm' ? 6 : 2);
  const shares: { devices: string[]; cost: number }[] = Array.from({ length: workers }, () => ({ devices: [], cost: 0 }));
  for (const twin of [...scenario.twins].sort((a, b) => cost(b) - cost(a))) {
    const lightest = shares.reduce((a, b) => (b.cost < a.cost ? b : a));
    lightest.devices.push(twin.id);
    lightest.cost += cost(twin);
  }
  const started = performance.now();
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<{ samples: number; ms: number }>((resolve, reject) => {
          const worker = new Worker(new URL('./factory-worker.mjs', import.meta.url), { workerData: { file: FACTORY, devices: share.devices, seconds } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return {
    wallS: (performance.now() - started) / 1000,
    cpuS: results.reduce((s, r) => s + r.ms, 0) / 1000,
    workers,
    samples: results.reduce((s, r) => s + r.samples, 0),
  };
}

export async function twinsBench(): Promise<TwinsBenchResult> {
  naiveSamplesPerSec();
  await twinSamplesPerSec();
  const naive = naiveSamplesPerSec();
  const ours = await twinSamplesPerSec();
  const factory = await factoryHour();
  const round = (x: number, digits = 2) => Number(x.toFixed(digits));
  return {
    samplesPerSecPerCore: Math.round(ours),
    naiveSamplesPerSec: Math.round(naive),
    naiveRatio: round(ours / naive),
    realtimeChannelsPerCore: Math.floor(ours / RATE_HZ),
    factoryHourWallS: round(factory.wallS, 1),
    factoryHourCpuS: round(factory.cpuS, 1),
    workers: factory.workers,
    factorySamples: factory.samples,
  };
}

export function formatTwins(r: TwinsBenchResult): string {
  const m = (x: number) => `${(x / 1e6).toFixed(1)} M`;
  return [
    `twins: 25.6 kHz pump accelerometer (physics + sensor model), one core, on ${machineLine()}`,
    `  naive loop, Math.sin + seedrandom Gaussian per sample (baseline)   ${m(r.naiveSamplesPerSec)} samples/s`,
    `  twinbed channel                                                    ${m(r.samplesPerSecPerCore)} samples/s  ×${r.naiveRatio}`,
    `  real-time 25.6 kHz channels per core: ${r.realtimeChannelsPerCore} (target ≥ 200)`,
    `  1 simulated hour of scenarios/library/factory-20.yaml (${(r.factorySamples / 1e9).toFixed(2)} G samples): ` +
      `${r.factoryHourWallS} s wall on ${r.workers} worker(s), ${r.factoryHourCpuS} s of CPU (target ≤ 60 s)`,
  ].join('\n');
}
