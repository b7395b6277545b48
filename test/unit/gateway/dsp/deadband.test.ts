import { describe, expect, it } from 'vitest';
import { Deadband, PipelineSchema, SensorPipeline, type PipelineConfigInput, type PipelineOutput } from '../../../../gateway/dsp/index';
import type { FeaturesV1 } from '../../../../protocol/index';
import { block } from './signals';

/** A slow-sensor pipeline with report by exception: one window per 1 s block of one sample. */
const DEADBAND: PipelineConfigInput = {
  sensors: ['temp'],
  window: { blocks: 1, function: 'rect' },
  features: { stats: ['mean', 'rms', 'peak', 'crest'] },
  deadband: { delta: 0.5, maxIntervalS: 60, feature: 'mean' },
};

/** The pipeline as the gateway runs it (it decides what goes up); `recordBytes` turns the byte budget on. */
function uplinking(config: PipelineConfigInput, recordBytes?: (record: FeaturesV1) => number): SensorPipeline {
  return new SensorPipeline(PipelineSchema.parse(config), { device: 'pump-1', sensor: 'temp' }, { uplink: recordBytes ? { recordBytes } : {} });
}

/** One sample a second, one block a sample: tsMs = T0 + seq·1000. */
const temp = (seq: number, value: number) => block(seq, [value], { rateHz: 1, unit: 'degC', sensor: 'temp' });

/** Every record sent, in order, as [first seq, blocks, mean]. */
const records = (outputs: PipelineOutput[]) =>
  outputs.flatMap((o) => (o.kind === 'features' ? [o.message] : o.kind === 'report' || o.kind === 'span' ? o.uplink : [])).map((r) => [r.seq, r.blocks, Number(r.features.mean!.toFixed(4))]);

/** The seqs each record covers, flattened: every block exactly once, in order. */
const covered = (outputs: PipelineOutput[]) =>
  outputs.flatMap((o) => (o.kind === 'features' ? [o.message] : o.kind === 'report' || o.kind === 'span' ? o.uplink : [])).flatMap((r) => Array.from({ length: r.blocks! }, (_, i) => r.seq + i));

describe('report by exception (deadband with heartbeat)', () => {
  it('sends a constant signal only as heartbeats: the first window, then one record per 60 s of held windows', () => {
    const p = uplinking(DEADBAND);
    const outputs = Array.from({ length: 130 }, (_, seq) => p.push(temp(seq, 20))).flat();
    expect(records(outputs)).toEqual([
      [0, 1, 20], // the first window is news
      [1, 60, 20], // seqs 1–60 held; their span reached 60 s at seq 60: one merged record
      [61, 60, 20],
    ]);
    expect(outputs.filter((o) => o.kind === 'held')).toHaveLength(130 - 3);
    // A held window keeps its block in the inbox; the record that carries it releases it.
    expect(outputs[1]).toMatchObject({ kind: 'held', blockSeqs: [1], releaseSeqs: [] });
    expect(outputs[60]).toMatchObject({ kind: 'report', blockSeqs: [60], releaseSeqs: Array.from({ length: 60 }, (_, i) => 1 + i) });
    // A drain sends what is held: seqs 121–129.
    const drained = p.flush();
    expect(records(drained)).toEqual([[121, 9, 20]]);
    expect(drained[0]).toMatchObject({ kind: 'span', releaseSeqs: [121, 122, 123, 124, 125, 126, 127, 128, 129] });
    expect(covered([...outputs, ...drained])).toEqual(Array.from({ length: 130 }, (_, seq) => seq));
  });

  it('sends a step larger than the deadband at once, after the held windows as a record of their own', () => {
    const p = uplinking(DEADBAND);
    const before = Array.from({ length: 10 }, (_, seq) => p.push(temp(seq, 20))).flat();
    expect(records(before)).toEqual([[0, 1, 20]]);
    const [step] = p.push(temp(10, 21));
    // The held seqs 1–9 keep their own mean, so the step is not averaged away; the step window goes up as it is.
    expect(step).toMatchObject({ kind: 'report', message: { seq: 10, features: { mean: 21 } } });
    expect(records([step!])).toEqual([
      [1, 9, 20],
      [10, 1, 21],
    ]);
    // Measured against 21 from now on: 21.4 is within the deadband, 20.5 is exactly 0.5 away (at least delta is news).
    expect(p.push(temp(11, 21.375)).map((o) => o.kind)).toEqual(['held']);
    expect(records(p.push(temp(12, 20.5)))).toEqual([
      [11, 1, 21.375],
      [12, 1, 20.5],
    ]);
  });

  it('reports the first value, a move of at least 0.5 since the last record, and 60 s of held windows, each block once', () => {
    const temps = [25.0, 25.2, 25.4, 25.5, 25.1, 24.9, ...new Array<number>(60).fill(24.9), 24.95];
    const p = uplinking(DEADBAND);
    const outputs = temps.flatMap((value, seq) => p.push(temp(seq, value)));
    expect(outputs.map((o, seq) => [seq, o.kind]).filter(([, kind]) => kind !== 'held')).toEqual([
      [0, 'features'], // first value
      [3, 'report'], // moved exactly 0.5 from 25.0: seqs 1–2 go up before it
      [5, 'report'], // moved 0.6 from 25.5 (25.1 at seq 4 moved 0.4: held, then sent before it)
      [65, 'report'], // seqs 6–65 span 60 s: a heartbeat, one record
    ]);
    expect(records(outputs)).toEqual([
      [0, 1, 25],
      [1, 2, 25.3],
      [3, 1, 25.5],
      [4, 1, 25.1],
      [5, 1, 24.9],
      [6, 60, 24.9],
    ]);
    expect(covered([...outputs, ...p.flush()])).toEqual(temps.map((_, seq) => seq));
  });

  it('carries the watched feature (mean) and the required rms, peak and crest in every record, merged ones too', () => {
    const p = uplinking({ ...DEADBAND, deadband: { delta: 0.5, maxIntervalS: 3 } });
    const [first] = p.push(temp(0, 40));
    expect(first).toMatchObject({ kind: 'features', message: { unit: 'degC', blocks: 1, windowMs: 1000, features: { mean: 40, rms: 40, peak: 40, crest: 1 } } });
    expect([40.25, 39.875].flatMap((value, i) => p.push(temp(1 + i, value))).map((o) => o.kind)).toEqual(['held', 'held']);
    // Seqs 1–3 span 3 s: the heartbeat merges them into one record of all their samples, not the last window's.
    const [heartbeat] = p.push(temp(3, 40.125));
    expect(heartbeat).toMatchObject({ kind: 'report', message: { seq: 3, features: { mean: 40.125 } } });
    const [merged] = (heartbeat as Extract<PipelineOutput, { kind: 'report' }>).uplink;
    expect(merged).toMatchObject({ seq: 1, blocks: 3, tsMs: temp(1, 0).tsMs, windowMs: 3000, unit: 'degC' });
    const rms = Math.sqrt((40.25 ** 2 + 39.875 ** 2 + 40.125 ** 2) / 3);
    expect(merged!.features).toEqual({ mean: (40.25 + 39.875 + 40.125) / 3, rms: expect.closeTo(rms, 12), peak: 40.25, crest: expect.closeTo(40.25 / rms, 12) });
  });

  it('without an uplink policy (an analysis, e.g. fitting a model) every window comes out as features', () => {
    const p = new SensorPipeline(PipelineSchema.parse(DEADBAND), { device: 'pump-1', sensor: 'temp' });
    expect([20, 20, 20].flatMap((value, seq) => p.push(temp(seq, value))).map((o) => o.kind)).toEqual(['features', 'features', 'features']);
  });

  it('starts over at a device restart: what is held goes up before the new stream, and its first window is news', () => {
    const p = uplinking(DEADBAND);
    for (let seq = 0; seq < 5; seq++) p.push(temp(seq, 20));
    expect(records(p.push(temp(0, 20)))).toEqual([
      [1, 4, 20],
      [0, 1, 20],
    ]);
  });
});

describe('never inflate (the byte budget)', () => {
  const PER_BLOCK: PipelineConfigInput = { sensors: ['temp'], window: { blocks: 1, function: 'rect' }, features: { stats: ['mean'] }, neverInflate: true };

  it('sends a record only when the payload bytes received since the last one pay for it, merging the windows that waited', () => {
    // Records of 100 B, blocks of 60 B: one window alone would inflate the stream by 40 B.
    const p = uplinking(PER_BLOCK, () => 100);
    let earned = 0;
    let spent = 0;
    const sent: (string | number)[][] = [];
    for (let seq = 0; seq < 10; seq++) {
      const outputs = p.push(temp(seq, seq), 60);
      earned += 60;
      spent += 100 * records(outputs).length;
      expect(spent, `after seq ${seq}`).toBeLessThanOrEqual(earned);
      sent.push(...outputs.filter((o) => o.kind !== 'held').map((o) => [seq, o.kind]));
    }
    expect(sent).toEqual([
      [1, 'report'], // 120 B earned: seqs 0–1 as one record (two would cost 200)
      [3, 'report'], // 20 + 120 = 140 B: seqs 2–3
      [4, 'features'], // 40 + 60 = 100 B: seq 4 alone
      [6, 'report'],
      [8, 'report'],
      [9, 'features'],
    ]);
  });

  it('sends the held windows and a window that moved as two records when the bytes pay for both, else merged', () => {
    const p = uplinking({ ...DEADBAND, neverInflate: true }, () => 100);
    // 150 B a block: the first window goes up alone, the quiet ones are held.
    expect(p.push(temp(0, 20), 150).map((o) => o.kind)).toEqual(['features']);
    for (let seq = 1; seq < 4; seq++) expect(p.push(temp(seq, 20), 150).map((o) => o.kind)).toEqual(['held']);
    // 50 + 4·150 = 650 B earned: the step pays for the held windows' record and its own.
    expect(records(p.push(temp(4, 25), 150))).toEqual([
      [1, 3, 20],
      [4, 1, 25],
    ]);
    // A budget of 1 B a block holds everything until a drain, which sends it whatever it costs.
    const poor = uplinking({ ...DEADBAND, neverInflate: true }, () => 100);
    expect([0, 1, 2].flatMap((seq) => poor.push(temp(seq, seq * 10), 1)).map((o) => o.kind)).toEqual(['held', 'held', 'held']);
    expect(records(poor.flush())).toEqual([[0, 3, 10]]);
  });

  it('is off unless the pipeline declares it', () => {
    const p = uplinking({ ...PER_BLOCK, neverInflate: false }, () => 100);
    expect([0, 1, 2].flatMap((seq) => p.push(temp(seq, seq), 1)).map((o) => o.kind)).toEqual(['features', 'features', 'features']);
  });
});

describe('Deadband', () => {
  it('is news for the first value, a move of at least delta, or held windows spanning maxIntervalMs of event time', () => {
    const band = new Deadband(1, 10_000);
    expect(band.due(5, 0, 1000)).toBe('first');
    band.reported(5);
    expect(band.due(5.5, 1000, 2000)).toBeUndefined();
    expect(band.due(4, 1000, 2000)).toBe('moved');
    expect(band.due(6, 1000, 2000)).toBe('moved');
    // The heartbeat counts from the first held window's start to this window's end.
    expect(band.due(5, 1000, 10_999)).toBeUndefined();
    expect(band.due(5, 1000, 11_000)).toBe('heartbeat');
    band.reset();
    expect(band.due(5, 11_000, 12_000)).toBe('first');
  });

  it('refuses report by exception on overlapping windows, whose records could not each hold their blocks once', () => {
    const parsed = PipelineSchema.safeParse({ ...DEADBAND, window: { blocks: 4, overlap: 0.5 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['window', 'overlap'] });
  });
});
