import type { FeaturesV1, TelemetryV1 } from '../../protocol';
import { BlockWindows, type ClosedWindow, type HeldBlock } from './block-windows';
import { DspError } from './errors';
import type { PipelineConfig } from './pipeline-config';
import { StageChain, type RejectCode } from './stage-chain';
import { UplinkPolicy } from './uplink-policy';
import { WindowAnalyzer } from './window-analyzer';

/** A seq this far behind the last one is a restarted device, not a late block (see SensorPipeline). */
const MIN_RESTART_GAP_BLOCKS = 64;

/** How many blocks behind the last seq a block must be to count as a device restart, for windows of `windowBlocks`. */
export function restartGapBlocks(windowBlocks: number | undefined): number {
  return Math.max(MIN_RESTART_GAP_BLOCKS, 2 * (windowBlocks ?? 0));
}

/**
 * What a pushed block (or a flush) produced. `blockSeqs`: the blocks the output is about. `releaseSeqs`: the
 * blocks no open window or held record needs any more, which the gateway may drop from its durable inbox (the same
 * as blockSeqs unless windows overlap, when a block is released with the last window that includes it, or windows
 * are held, when blocks are released with the record that carries them).
 *
 * A closed window (`message`, to judge) comes out as:
 * - `features`: it goes up as it is;
 * - `report`: it goes up with the windows held before it: `uplink` is the records to send, in order (the held
 *   windows' record then the window, or one record merging them);
 * - `held`: it waits to go up with a later record (report by exception, or bytes not yet earned).
 * `span`: held windows going up with no window of their own (a drain). Without an uplink policy (see
 * SensorPipelineOptions) every window is `features`.
 */
export type PipelineOutput =
  | { kind: 'features'; message: FeaturesV1; blockSeqs: number[]; releaseSeqs: number[] }
  | { kind: 'report'; message: FeaturesV1; uplink: FeaturesV1[]; blockSeqs: number[]; releaseSeqs: number[] }
  | { kind: 'held'; message: FeaturesV1; blockSeqs: number[]; releaseSeqs: number[] }
  | { kind: 'span'; uplink: FeaturesV1[]; blockSeqs: number[]; releaseSeqs: number[] }
  | { kind: 'rejected'; code: RejectCode; reason: string; blockSeqs: number[]; releaseSeqs: number[] };

export interface PipelineTarget {
  device: string;
  sensor: string;
}

export interface SensorPipelineOptions {
  /**
   * The pipeline decides what goes up (the gateway): its deadband holds windows that are not news, and with
   * `neverInflate` and `recordBytes` (bytes of a record on the wire, at most) it never sends more record bytes than
   * the payload bytes pushed with the blocks. Default: none, every window comes out as `features` (an analysis).
   */
  uplink?: { recordBytes?: (record: FeaturesV1) => number };
}

/**
 * The preprocessing pipeline of one (device, sensor) stream: stages on each block's samples (filter state runs on
 * from block to block), blocks grouped into windows aligned to seq multiples (see BlockWindows), features per
 * window and, in the gateway, which windows go up when (see UplinkPolicy: report by exception, the byte budget).
 * Synchronous and allocation-light: buffers are reused and grow only when a larger block arrives (held windows
 * excepted, which keep a copy of their samples until they go up).
 *
 * Stream events:
 * - a block with seq ≤ the last accepted one is rejected (`late`), unless it is seq 0 or more than
 *   max(64, 2·window) blocks back: that is a device restart (its counter began again), so the open windows close,
 *   the filters forget their state, and windows start again from the new seq;
 * - a block at a new rate closes the open windows and rebuilds the stages for that rate;
 * - a block whose output unit differs from the open window's closes that window first;
 * - stages that cannot be built for the rate (a cutoff above Nyquist) reject every block at that rate (`config`).
 */
export class SensorPipeline {
  readonly config: PipelineConfig;
  readonly device: string;
  readonly sensor: string;
  readonly #analyzer: WindowAnalyzer;
  readonly #policy: UplinkPolicy | undefined;
  #chain: StageChain | undefined;
  #chainError: string | undefined;
  #windows: BlockWindows | undefined;
  #rateHz: number | undefined;
  #unit = '';
  #lastSeq = -1;
  #outputs: PipelineOutput[] = [];

  constructor(config: PipelineConfig, target: PipelineTarget, options: SensorPipelineOptions = {}) {
    this.config = config;
    this.device = target.device;
    this.sensor = target.sensor;
    this.#analyzer = new WindowAnalyzer(config.features, config.window.function);
    const uplink = options.uplink;
    this.#policy = uplink
      ? new UplinkPolicy({
          deadband: config.deadband,
          recordBytes: config.neverInflate ? uplink.recordBytes : undefined,
          summarise: (blocks) => this.#summarise(blocks),
        })
      : undefined;
  }

  /** Whether `config` applies to `sensor` (named in its `sensors`, or `*` there). */
  static matches(config: Pick<PipelineConfig, 'sensors'>, sensor: string): boolean {
    return config.sensors.includes('*') || config.sensors.includes(sensor);
  }

  /** Blocks per window, known once the first block set the rate and block length. */
  get windowBlocks(): number | undefined {
    return this.#windows?.size;
  }

  /** Sample rate after the stages (lower after decimation), once known. */
  get outputRateHz(): number | undefined {
    return this.#chain?.outputRateHz;
  }

  /** Pushes one block; `payloadBytes` is what it cost to receive (the bytes its records may spend, with neverInflate). */
  push(block: TelemetryV1, payloadBytes = 0): PipelineOutput[] {
    this.#outputs = [];
    const { seq, values } = block;
    if (values.length === 0) return [this.#reject('empty', 'the block has no samples', seq)];
    if (seq <= this.#lastSeq) {
      const restartGap = restartGapBlocks(this.#windows?.size);
      if (seq !== 0 && this.#lastSeq - seq <= restartGap) return [this.#reject('late', `seq ${seq} arrived after seq ${this.#lastSeq}; the filters have moved on`, seq)];
      this.#closeAll();
      this.#chain?.reset();
      this.#lastSeq = -1;
    }
    if (block.rateHz !== this.#rateHz) this.#rebuild(block);
    const chain = this.#chain;
    if (!chain) return [...this.#outputs, this.#reject('config', this.#chainError ?? 'the stages could not be built', seq)];

    const result = chain.run(values, block.unit, block.rateHz);
    if (!result.ok) return [...this.#outputs, this.#reject(result.code, result.reason, seq)];
    const windows = this.#windows!;
    if (result.unit !== this.#unit) {
      this.#closeAll();
      this.#unit = result.unit;
    }
    this.#lastSeq = seq;
    this.#policy?.earn(payloadBytes);
    windows.add(seq, block.tsMs, (1000 * values.length) / block.rateHz, chain.samples, result.length, this.config.features.dc ? { sum: sumOf(values), count: values.length } : undefined);
    return this.#outputs;
  }

  /**
   * Closes every open window as it is and sends what is held (at shutdown or when the gateway drains); later blocks
   * open new windows.
   */
  flush(): PipelineOutput[] {
    this.#outputs = [];
    this.#windows?.flush();
    this.#drain();
    return this.#outputs;
  }

  /** A break in the stream (restart, new rate or unit): the open windows close, what is held goes up, the deadband starts over. */
  #closeAll(): void {
    this.#windows?.flush();
    this.#drain();
    this.#policy?.reset();
  }

  #drain(): void {
    const drained = this.#policy?.drain();
    if (drained) this.#outputs.push(drained);
  }

  #reject(code: RejectCode, reason: string, seq: number): PipelineOutput {
    return { kind: 'rejected', code, reason: `${this.device}/${this.sensor} seq ${seq}: ${reason}`, blockSeqs: [seq], releaseSeqs: [seq] };
  }

  #rebuild(block: TelemetryV1): void {
    this.#closeAll();
    this.#windows = undefined;
    this.#rateHz = block.rateHz;
    this.#chain = undefined;
    this.#chainError = undefined;
    try {
      this.#chain = new StageChain(this.config.stages, block.rateHz);
    } catch (error) {
      if (!(error instanceof DspError)) throw error;
      this.#chainError = `${error.message}; fix the pipeline for sensor "${this.sensor}" in the gateway config`;
      return;
    }
    const { window } = this.config;
    const size = window.blocks ?? Math.max(1, Math.round(((window.seconds ?? 1) * block.rateHz) / block.values.length));
    const hop = Math.max(1, Math.round(size * (1 - window.overlap)));
    this.#windows = new BlockWindows(size, hop, (closed) => this.#outputs.push(this.#emit(closed)));
  }

  #emit(window: ClosedWindow): PipelineOutput {
    const message = this.#summarise(window.blocks);
    if (this.#policy) return this.#policy.decide(window, message);
    return { kind: 'features', message, blockSeqs: window.blocks.map((b) => b.seq), releaseSeqs: window.releaseSeqs };
  }

  /** The features record of whole blocks, oldest first: one window, or held windows going up as one. */
  #summarise(blocks: readonly HeldBlock[]): FeaturesV1 {
    let length = 0;
    for (const b of blocks) length += b.length;
    const x = this.#analyzer.buffer(length);
    let offset = 0;
    let windowMs = 0;
    for (const b of blocks) {
      for (let i = 0; i < b.length; i++) x[offset + i] = b.samples[i]!;
      offset += b.length;
      windowMs += b.durationMs;
    }
    const features = this.#analyzer.analyze(x, length, this.#chain!.outputRateHz, this.config.deadband?.feature);
    if (this.config.features.dc) {
      let sum = 0;
      let count = 0;
      for (const b of blocks) [sum, count] = [sum + b.rawSum, count + b.rawCount];
      features.dc = count > 0 ? sum / count : 0;
    }
    const first = blocks[0]!;
    return {
      type: 'features',
      v: 1,
      device: this.device,
      sensor: this.sensor,
      seq: first.seq,
      blocks: blocks.length,
      tsMs: first.tsMs,
      windowMs,
      unit: this.#unit,
      features,
    };
  }
}

/** Σ x over a block's input samples (a number array or a packed Float32 block). */
function sumOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}
