import { describe, expect, it } from 'vitest';
import { blockFeatures } from '../../../support/block-features';
import { PER_BLOCK_PIPELINE, PipelineSchema, SensorPipeline, type PipelineConfigInput, type PipelineOutput } from '../../../../gateway/dsp/index';
import { FeaturesV1Schema } from '../../../../protocol/index';
import { T0, block, blocksOf, tone } from './signals';

const target = { device: 'pump-1', sensor: 'accel' };
const pipeline = (config: Omit<PipelineConfigInput, 'sensors'>) => new SensorPipeline(PipelineSchema.parse({ sensors: ['accel'], ...config }), target);
const constant = (value: number, n = 4) => new Array<number>(n).fill(value);

/** Pushes blocks with the given seqs (each 4 samples of the value seq) and collects every output. */
function pushSeqs(p: SensorPipeline, seqs: number[]): PipelineOutput[] {
  return seqs.flatMap((seq) => p.push(block(seq, constant(seq))));
}

const summary = (outputs: PipelineOutput[]) =>
  outputs.map((o) => (o.kind === 'features' || o.kind === 'report' ? { kind: o.kind, seq: o.message.seq, blocks: o.message.blocks, blockSeqs: o.blockSeqs } : { kind: o.kind, blockSeqs: o.blockSeqs }));

describe('SensorPipeline', () => {
  it('with window: { blocks: 1 } makes every block one features record, equal to blockFeatures', () => {
    const p = new SensorPipeline(PipelineSchema.parse(PER_BLOCK_PIPELINE), target);
    for (const [seq, values] of [
      [0, [1, -1, 1, -1]],
      [1, [0.5, -0.25, 0.125]],
      [2, [3]],
    ] as const) {
      const outputs = p.push(block(seq, [...values]));
      expect(outputs).toEqual([
        {
          kind: 'features',
          message: { type: 'features', v: 1, device: 'pump-1', sensor: 'accel', seq, blocks: 1, tsMs: block(seq, [...values]).tsMs, windowMs: values.length, unit: 'g', features: { ...blockFeatures(values) } },
          blockSeqs: [seq],
          releaseSeqs: [seq],
        },
      ]);
      expect(FeaturesV1Schema.safeParse((outputs[0] as { message: unknown }).message).success).toBe(true);
    }
  });

  it('cuts windows at seq multiples of the window length whatever seq the stream starts at; seq is the first block present', () => {
    const p = pipeline({ window: { blocks: 4 } });
    expect(summary(pushSeqs(p, [6, 7, 8, 9, 10, 11, 12]))).toEqual([
      { kind: 'features', seq: 6, blocks: 2, blockSeqs: [6, 7] },
      { kind: 'features', seq: 8, blocks: 4, blockSeqs: [8, 9, 10, 11] },
    ]);
    expect(p.windowBlocks).toBe(4);
  });

  it('closes a window early when a block jumps past its end (a gap), and counts only the blocks present', () => {
    const p = pipeline({ window: { blocks: 4 } });
    expect(summary(pushSeqs(p, [0, 1, 2]))).toEqual([]);
    // 3 never arrives; 5 belongs to the next window, so window 0 closes with three blocks.
    expect(summary(pushSeqs(p, [5]))).toEqual([{ kind: 'features', seq: 0, blocks: 3, blockSeqs: [0, 1, 2] }]);
    // 4 is missing from window 4 too: it completes at 7 with three blocks, seq 5.
    expect(summary(pushSeqs(p, [6, 7]))).toEqual([{ kind: 'features', seq: 5, blocks: 3, blockSeqs: [5, 6, 7] }]);
    // A gap of several windows closes the open one and skips the empty ones.
    expect(summary(pushSeqs(p, [8, 21, 23]))).toEqual([
      { kind: 'features', seq: 8, blocks: 1, blockSeqs: [8] },
      { kind: 'features', seq: 21, blocks: 2, blockSeqs: [21, 23] },
    ]);
  });

  it('gives tsMs of the first block present and windowMs as the summed duration of the blocks present', () => {
    const p = pipeline({ window: { blocks: 4 } });
    const [out] = pushSeqs(p, [1, 2, 3]);
    expect(out?.kind).toBe('features');
    if (out?.kind !== 'features') return;
    // 4 samples at 1 kHz: 4 ms a block.
    expect(out.message.tsMs).toBe(T0 + 4);
    expect(out.message.windowMs).toBe(12);
    // Values 1, 2, 3 four times each: mean square (1 + 4 + 9)/3.
    expect(out.message.features.rms).toBeCloseTo(Math.sqrt(14 / 3), 6);
  });

  it('sizes windows from seconds: 1 s of 1024-sample blocks at 25.6 kHz is 25 blocks', () => {
    const p = pipeline({ window: { seconds: 1 } });
    const outputs = blocksOf(tone(1, 100, 25_600, 25_600 * 2), 25_600, 1024).flatMap((b) => p.push(b));
    expect(p.windowBlocks).toBe(25);
    expect(summary(outputs).map((o) => ('seq' in o ? [o.seq, o.blocks] : []))).toEqual([
      [0, 25],
      [25, 25],
    ]);
    expect(outputs.map((o) => (o.kind === 'features' ? o.message.windowMs : 0))).toEqual([1000, 1000]);
  });

  it('flush emits the partial window, and the next block opens a new one', () => {
    const p = pipeline({ window: { blocks: 4 } });
    pushSeqs(p, [0, 1]);
    expect(summary(p.flush())).toEqual([{ kind: 'features', seq: 0, blocks: 2, blockSeqs: [0, 1] }]);
    expect(p.flush()).toEqual([]);
    expect(summary(pushSeqs(p, [2, 3]))).toEqual([{ kind: 'features', seq: 2, blocks: 2, blockSeqs: [2, 3] }]);
  });

  it('with overlap, shares blocks between windows and releases each block once, with the last window holding it', () => {
    const p = pipeline({ window: { blocks: 4, overlap: 0.5 } });
    const outputs = pushSeqs(p, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(outputs.map((o) => [o.blockSeqs, o.releaseSeqs])).toEqual([
      [
        [0, 1, 2, 3],
        [0, 1],
      ],
      [
        [2, 3, 4, 5],
        [2, 3],
      ],
      [
        [4, 5, 6, 7],
        [4, 5],
      ],
    ]);
    expect(p.flush().map((o) => [o.blockSeqs, o.releaseSeqs])).toEqual([[[6, 7], [6, 7]]]);
  });

  it('rejects a late or duplicate block, and treats seq 0 after others as a device restart', () => {
    const p = pipeline({ window: { blocks: 2 } });
    pushSeqs(p, [4, 5, 6]);
    const late = p.push(block(5, constant(5)));
    expect(late).toEqual([{ kind: 'rejected', code: 'late', reason: expect.stringMatching(/seq 5 arrived after seq 6/), blockSeqs: [5], releaseSeqs: [5] }]);
    // Restart: the open window (6) closes, and windows start again from 0.
    expect(summary(pushSeqs(p, [0, 1]))).toEqual([
      { kind: 'features', seq: 6, blocks: 1, blockSeqs: [6] },
      { kind: 'features', seq: 0, blocks: 2, blockSeqs: [0, 1] },
    ]);
  });

  it('treats a jump back of more than 64 blocks as a restart whose first block was lost', () => {
    const p = pipeline({ window: { blocks: 2 } });
    pushSeqs(p, [500, 501, 502]);
    // 64 back is still a late block; 499 back is a new life of the counter.
    expect(p.push(block(438, constant(1)))[0]).toMatchObject({ kind: 'rejected', code: 'late' });
    expect(summary(pushSeqs(p, [3, 4, 5]))).toEqual([
      { kind: 'features', seq: 502, blocks: 1, blockSeqs: [502] },
      { kind: 'features', seq: 3, blocks: 1, blockSeqs: [3] },
      { kind: 'features', seq: 4, blocks: 2, blockSeqs: [4, 5] },
    ]);
  });

  it('rejects a block in the wrong unit or with an implausible sample before any filter sees it', () => {
    const config: Omit<PipelineConfigInput, 'sensors'> = { stages: [{ type: 'validate', unit: 'g', min: -50, max: 50 }, { type: 'highpass', cutoffHz: 10 }], window: { blocks: 1 } };
    const clean = pipeline(config);
    const dirty = pipeline(config);
    const signal = tone(1, 60, 1000, 400);
    const blocks = blocksOf(signal, 1000, 100);
    expect(dirty.push({ ...blocks[0]!, unit: 'm/s2' })).toEqual([
      { kind: 'rejected', code: 'unit', reason: 'pump-1/accel seq 0: unit is "m/s2" but the pipeline expects "g"', blockSeqs: [0], releaseSeqs: [0] },
    ]);
    const spiky = Float32Array.from(blocks[1]!.values);
    spiky[7] = 120;
    const [rejected] = dirty.push({ ...blocks[1]!, values: spiky });
    expect(rejected).toMatchObject({ kind: 'rejected', code: 'range', reason: expect.stringContaining('sample 7 is 120 g, outside the plausible range [-50, 50]') });
    // The rejected blocks never touched the filter: the next blocks give the features of a pipeline that never saw them.
    const fromClean = clean.push(blocks[2]!);
    expect(dirty.push(blocks[2]!)).toEqual(fromClean);
  });

  it('scales units: m/s2 blocks come out in g, and a block already in g passes unchanged', () => {
    const p = pipeline({ stages: [{ type: 'scale', from: 'm/s2', to: 'g', factor: 1 / 9.80665 }, { type: 'validate', unit: 'g', max: 5 }], window: { blocks: 1 } });
    const [a] = p.push(block(0, [9.80665, -9.80665], { unit: 'm/s2' }));
    const [b] = p.push({ ...block(1, [1, -1]), unit: 'g' });
    for (const out of [a, b]) {
      expect(out?.kind).toBe('features');
      if (out?.kind !== 'features') continue;
      expect(out.message.unit).toBe('g');
      expect(out.message.features.rms).toBeCloseTo(1, 6);
    }
    expect(p.push({ ...block(2, [1]), unit: 'degC' })[0]).toMatchObject({ kind: 'rejected', code: 'unit' });
    // After scaling, 9.80665·6 m/s2 = 6 g exceeds max 5.
    expect(p.push(block(3, [9.80665 * 6], { unit: 'm/s2' }))[0]).toMatchObject({ kind: 'rejected', code: 'range' });
  });

  it('rejects every block with code config when a stage cannot be built for the stream rate, naming the fix', () => {
    const p = pipeline({ stages: [{ type: 'lowpass', cutoffHz: 800 }], window: { blocks: 1 } });
    const [out] = p.push(block(0, constant(1), { rateHz: 1000 }));
    expect(out).toMatchObject({ kind: 'rejected', code: 'config', blockSeqs: [0] });
    expect(out?.kind === 'rejected' && out.reason).toMatch(/lowpass at 800 Hz cannot be built for a 1000 Hz stream.*fix the pipeline for sensor "accel"/);
    // At a rate where it can be built, the same pipeline works.
    expect(p.push(block(1, constant(1), { rateHz: 4000 }))[0]?.kind).toBe('features');
  });

  it('computes spectral features at the rate after decimation', () => {
    const p = pipeline({ stages: [{ type: 'decimate', factor: 4 }], window: { seconds: 1 }, features: { peaks: 1 } });
    const outputs = blocksOf(tone(1, 1000, 25_600, 25_600 * 2), 25_600, 1024).flatMap((b) => p.push(b));
    expect(p.outputRateHz).toBe(6400);
    const last = outputs.at(-1);
    expect(last?.kind).toBe('features');
    if (last?.kind !== 'features') return;
    expect(last.message.features.peak1Hz).toBeCloseTo(1000, 0);
    expect(last.message.features.peak1Amp).toBeCloseTo(1, 1);
  });

  it('rejects an empty block and matches sensors by name or *', () => {
    expect(pipeline({}).push(block(0, []))[0]).toMatchObject({ kind: 'rejected', code: 'empty' });
    expect(SensorPipeline.matches({ sensors: ['accel', 'temp'] }, 'temp')).toBe(true);
    expect(SensorPipeline.matches({ sensors: ['accel'] }, 'temp')).toBe(false);
    expect(SensorPipeline.matches({ sensors: ['*'] }, 'anything')).toBe(true);
  });
});
