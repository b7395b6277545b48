import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudStats, SequenceSummary } from '../../cloud';
import type { GatewayCounters } from '../../gateway';
import { monotonicWallMs, Scheduler, type Clock } from '../../sim';
import type { DeviceStats } from '../../twins';
import { growthOf, type Growth, type SoakSample } from './soak-report';
import { SoakStack, UPLINK } from './soak-stack';

/**
 * One cycle of the soak, in simulated time, repeated from the start to the end of the run: at 1 min a fault on a pump
 * (pump-1 and pump-2 in turn), the conveyor and the arm; at 3 min the uplink is cut (with a reset, so what was in
 * flight is lost and resent); at 5 min it heals and the gateway's backlog drains.
 */
export const CYCLE_MIN = 6;
const FAULT_AT_MIN = 1;
/** Warm-up is at least this many cycles (see SoakOptions.warmupFraction). */
const MIN_WARMUP_CYCLES = 3;
const PARTITION_AT_MIN = 3;
const HEAL_AT_MIN = 5;
/**
 * Retention, simulated: windows and raw blocks live 5 min, minute rollups 15, compaction every 30 s. Longer than a
 * partition (2 min), so the backlog a heal delivers is stored before retention rolls it up, and no window can come
 * back as a resent copy once its original has been deleted.
 */
export const RAW_RETENTION_MIN = 5;
const MINUTE_RETENTION_MIN = 15;
const COMPACT_EVERY_S = 30;
/** Wall ms the end of the run may take to bring every acknowledged reading into the cloud. */
const SETTLE_TIMEOUT_MS = 120_000;

export interface SoakOptions {
  /** Simulated length of the run, minutes. */
  simMinutes: number;
  /** Simulated seconds per wall second. Default 60. */
  timeScale?: number;
  /** Simulated minutes between samples. Default 1. */
  sampleEveryMin?: number;
  /**
   * The part of the run before the baseline, 0–1. Default 0.2, rounded to whole cycles and never less than three
   * (18 min; an hour's 20% would be 12). By then the cloud store has filled its retention window (5 min) and both
   * stores have been through a fault's raw burst, a partition's backlog and its drain three times, so their files and
   * WALs stand at the high-water mark a cycle needs (SQLite reuses free pages and never shrinks a file); V8 has
   * tiered up the hot code and grown its heap to the working set; SQLite's page caches are full. The baseline is the
   * highest value over warm-up's last cycle (see growthOf), and every cycle after it repeats the same faults and
   * partition, so what grows after that is the trend, not the start or the swing of a cycle.
   */
  warmupFraction?: number;
  seed?: number;
  /** Called with each sample as it is taken (to print the curve live). */
  onSample?: (sample: SoakSample) => void;
  /** Stops the run early (SIGTERM): the stack is stopped, its stores deleted, and runSoak rejects. */
  signal?: AbortSignal;
}

export interface SoakResult {
  runMin: number;
  sampleEveryMin: number;
  warmupMin: number;
  timeScale: number;
  samples: SoakSample[];
  growth: Growth[];
  /** Whether the process could collect garbage before each sample (node --expose-gc). */
  gcBeforeSample: boolean;
  /** What the twins published, per sensor, and what the cloud's stored windows cover. */
  published: DeviceStats[];
  stored: SequenceSummary[];
  /** Coverage problems (blocks stored twice, gaps), and controls that were refused. */
  problems: string[];
  settled: boolean;
  cloud: CloudStats;
  gateway: GatewayCounters;
  /** Windows in the store and folded into hour rollups at the end: together, every window the cloud stored. */
  windowsKept: number;
  windowsRolledUp: number;
  faults: number;
  partitions: number;
  /** The most blocks the twins owed at a sample after warm-up: how far the stack fell behind its clock (SoakSample.owed). */
  maxOwed: number;
  /** Blocks the twins publish per simulated second, to read maxOwed in seconds. */
  blocksPerS: number;
  wallS: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Simulated minutes of warm-up for a run of `runMin`: `fraction` of it (default 0.2) rounded to whole cycles, and never
 * less than three cycles (see SoakOptions.warmupFraction). Throws when that leaves no run after it.
 */
export function warmupMinutes(runMin: number, fraction = 0.2): number {
  const warmupMin = CYCLE_MIN * Math.max(MIN_WARMUP_CYCLES, Math.round((runMin * fraction) / CYCLE_MIN));
  if (warmupMin >= runMin * 0.75) throw new Error(`a ${runMin}-minute soak leaves no room after its ${warmupMin}-minute warm-up: give it at least ${Math.ceil(warmupMin / 0.75) + 1} simulated minutes`);
  return warmupMin;
}

/** Runs the soak: the stack under periodic faults and partitions, sampled as it goes; stops it and returns the figures. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const timeScale = options.timeScale ?? 60;
  const sampleEveryMin = options.sampleEveryMin ?? 1;
  const runMin = options.simMinutes;
  const warmupMin = warmupMinutes(runMin, options.warmupFraction);
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-soak-'));
  const wallStart = monotonicWallMs();
  let stack: SoakStack | undefined;
  try {
    stack = await SoakStack.start({
      dir,
      timeScale,
      durationMs: runMin * 60_000,
      rawRetentionMs: RAW_RETENTION_MIN * 60_000,
      minuteRetentionMs: MINUTE_RETENTION_MIN * 60_000,
      compactEveryS: COMPACT_EVERY_S,
      seed: options.seed ?? 2020,
    });
    return await observe(stack, { ...options, timeScale, sampleEveryMin, warmupMin, wallStart });
  } finally {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Drives the running stack through its cycles, samples it, settles it and gathers the figures. */
async function observe(stack: SoakStack, options: SoakOptions & { timeScale: number; sampleEveryMin: number; warmupMin: number; wallStart: number }): Promise<SoakResult> {
  const { timeScale, sampleEveryMin, warmupMin, simMinutes: runMin } = options;
  const problems: string[] = [];
  const counts = { faults: 0, partitions: 0 };
  const cancels = planCycles(stack, problems, counts);
  const samples: SoakSample[] = [];
  const runWallStart = monotonicWallMs();
  let cpu = { usage: process.cpuUsage(), wallMs: monotonicWallMs() };
  for (let atMin = 0; atMin <= runMin; atMin += sampleEveryMin) {
    await at(stack.clock, stack.startMs + atMin * 60_000, options.signal);
    options.signal?.throwIfAborted();
    const now = { usage: process.cpuUsage(), wallMs: monotonicWallMs() };
    const busy = (now.usage.user - cpu.usage.user + now.usage.system - cpu.usage.system) / 1000 / Math.max(1, now.wallMs - cpu.wallMs);
    cpu = now;
    const sample = await measure(stack, atMin, (monotonicWallMs() - runWallStart) / 1000, busy);
    samples.push(sample);
    options.onSample?.(sample);
  }
  cancels.forEach((cancel) => cancel());
  // A run that ends inside a partition (its length not a whole number of cycles) heals before it settles.
  stack.control.heal(UPLINK);
  const settled = await settle(stack);
  problems.push(...stack.stored.problems());
  const windowsKept = (await stack.storage.counts()).features;
  const windowsRolledUp = await rolledUp(stack);
  return {
    runMin,
    sampleEveryMin,
    warmupMin,
    timeScale,
    samples,
    growth: growthOf(samples, warmupMin, runMin, CYCLE_MIN),
    gcBeforeSample: gc !== undefined,
    published: stack.fleet.stats(),
    stored: stack.stored.sequences(),
    problems,
    settled,
    cloud: stack.cloud.stats(),
    gateway: stack.gateway.counters(),
    windowsKept,
    windowsRolledUp,
    ...counts,
    maxOwed: Math.max(...samples.filter((s) => s.atMin > warmupMin).map((s) => s.owed)),
    blocksPerS: stack.fleet.intendedBlocksPerS(),
    wallS: (monotonicWallMs() - options.wallStart) / 1000,
  };
}

/** Resolves when the clock reaches `atMs` (a condition on simulated time, not a sleep), or at once on abort. */
function at(clock: Clock, atMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const aborted = () => (cancel(), resolve());
    const cancel = clock.schedule(atMs, () => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    });
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** Schedules every cycle's faults, partition and heal through the demo's controls; a refused control is a problem. */
function planCycles(stack: SoakStack, problems: string[], counts: { faults: number; partitions: number }): (() => void)[] {
  const scheduler = new Scheduler(stack.clock);
  const cycleMs = CYCLE_MIN * 60_000;
  const every = (offsetMin: number, fn: (cycle: number) => void) =>
    scheduler.every(cycleMs, (nowMs) => {
      try {
        fn(Math.floor((nowMs - stack.startMs) / cycleMs));
      } catch (error) {
        problems.push(`at ${((nowMs - stack.startMs) / 60_000).toFixed(2)} min: ${(error as Error).message}`);
      }
    }, { startMs: stack.startMs + offsetMin * 60_000, endMs: stack.endMs });
  return [
    every(FAULT_AT_MIN, (cycle) => {
      stack.control.fault(cycle % 2 === 0 ? 'pump-1' : 'pump-2', { type: 'imbalance', unbalanceGmm: 20_000, forS: 60 });
      stack.control.fault('conveyor-1', { type: 'belt-slip', severity: 0.3, forS: 60 });
      stack.control.fault('robot-1', { type: 'collision', forS: 20 });
      counts.faults += 3;
    }),
    every(PARTITION_AT_MIN, () => {
      stack.control.impair(UPLINK, { partition: true, reset: true });
      counts.partitions++;
    }),
    every(HEAL_AT_MIN, () => void stack.control.heal(UPLINK)),
  ];
}

async function measure(stack: SoakStack, atMin: number, wallS: number, busy: number): Promise<SoakSample> {
  gc?.();
  const memory = process.memoryUsage();
  return {
    atMin,
    wallS,
    rssBytes: memory.rss,
    heapBytes: memory.heapUsed,
    externalBytes: memory.external,
    fds: readdirSync('/proc/self/fd').length,
    cloudStoreBytes: await SoakStack.storeBytes(stack.cloudDb),
    cloudDataBytes: SoakStack.liveBytes(stack.cloudDb),
    gatewayStoreBytes: await SoakStack.storeBytes(stack.gatewayDb),
    outbox: stack.gateway.pending().outbox,
    windows: (await stack.storage.counts()).features,
    uplink: stack.control.linkStatus(UPLINK).partitioned ? 'cut' : 'up',
    busy,
    owed: Math.max(0, Math.floor((stack.fleet.intendedBlocksPerS() * (stack.clock.now() - stack.startMs)) / 1000) - stack.fleet.stats().reduce((n, d) => n + d.sent, 0)),
  };
}

/**
 * The end of the run: the twins have stopped; wait until the gateway holds every reading they had acknowledged, close
 * its open windows, and wait until the cloud's stored windows cover every one of them (or SETTLE_TIMEOUT_MS passes).
 */
async function settle(stack: SoakStack): Promise<boolean> {
  const { fleet, gateway, cloud, stored } = stack;
  const deadline = monotonicWallMs() + SETTLE_TIMEOUT_MS;
  const until = async (done: () => boolean) => {
    while (!done() && monotonicWallMs() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return done();
  };
  // Every channel's period divides a whole minute, so the run's blocks are its rate times its length, exactly.
  const blocks = Math.round((fleet.intendedBlocksPerS() * (stack.endMs - stack.startMs)) / 1000);
  const sent = () => fleet.stats().reduce((n, d) => n + d.sent, 0);
  await until(() => sent() >= blocks);
  await fleet.drain();
  const acked = fleet.stats().reduce((n, d) => n + d.acked, 0);
  await until(() => gateway.counters().received >= acked);
  await gateway.flush();
  const settled = await until(() => stored.blocks() >= acked);
  await cloud.idle();
  return settled;
}

/** Windows compaction folded away: the count of every hour rollup, over every stream the cloud stored. */
async function rolledUp(stack: SoakStack): Promise<number> {
  let n = 0;
  for (const { device, sensor } of stack.stored.sequences()) {
    let cursor: string | undefined;
    do {
      const page = await stack.storage.rollups({ device, sensor, resolution: '1h', ...(cursor ? { cursor } : {}) });
      n += page.items.reduce((sum, r) => sum + r.count, 0);
      cursor = page.next;
    } while (cursor);
  }
  return n;
}
