import { describe, expect, it } from 'vitest';
import { PipelineSchema, PRIORITY, type EdgeProcessor, type PipelineConfigInput, type Processed } from '../../../gateway/index';
import { decodeMessage, encodeMessage, ThresholdRuleSchema, topics, type EventV1, type FeaturesV2, type TelemetryV1 } from '../../../protocol/index';
import { testEdgeProcessor } from '../../support/edge-processor';

const SITE = 'site-1';
const START_MS = Date.UTC(2026, 0, 1);

/** A temperature reported by exception (mean ± 0.5 °C, a heartbeat a minute) that never inflates its stream. */
const TEMP: PipelineConfigInput = {
  sensors: ['temp'],
  window: { blocks: 1, function: 'rect' },
  features: { stats: ['mean', 'rms', 'peak', 'crest'] },
  deadband: { delta: 0.5, maxIntervalS: 60 },
  neverInflate: true,
};

function processor(): EdgeProcessor {
  return testEdgeProcessor(
    {
      site: SITE,
      gateway: 'gw-7',
      pipelines: [PipelineSchema.parse(TEMP)],
      rules: [ThresholdRuleSchema.parse({ name: 'temp-peak', metric: 'peak', sensor: 'temp', above: 23, clearBelow: 21 })],
    },
    START_MS,
  );
}

/** Block `seq`: ten samples at 1 Hz of `level`, the last one `last` (a short excursion the mean hardly shows). */
function block(seq: number, level: number, last = level): Buffer {
  const values = Float32Array.from({ length: 10 }, (_, i) => (i === 9 ? last : level));
  const message: TelemetryV1 = { type: 'telemetry', v: 1, device: 'pump-1', sensor: 'temp', seq, tsMs: START_MS + seq * 10_000, rateHz: 1, unit: 'degC', values };
  return Buffer.from(encodeMessage(message, 'cbor'));
}

const route = { topic: topics.telemetry(SITE, 'pump-1', 'temp') };
const recordsOf = (p: Processed) => p.enqueue.filter((e) => e.priority === PRIORITY.features);
const eventsOf = (p: Processed) => p.enqueue.filter((e) => e.priority === PRIORITY.events).map((e) => decodeMessage(e.payload) as EventV1);

describe('EdgeProcessor: report by exception under a byte budget', () => {
  it('judges every window, held ones too, sends each block in one record, and never more bytes than it received', async () => {
    const edge = processor();
    // 20 °C for a minute and a half; at seq 5 one sample of 24 °C (the mean moves 0.4: held, but the peak crosses 23);
    // at seq 9 a step to 22 °C (news).
    const levels: [number, number?][] = [[20], [20], [20], [20], [20], [20, 24], [20], [20], [20], [22], [22], [22]];
    const outputs: Processed[] = [];
    let bytesIn = 0;
    let bytesUp = 0;
    for (const [seq, [level, last]] of levels.entries()) {
      const payload = block(seq, level, last);
      const processed = await edge.process(payload, route, 1, 1000 + seq);
      outputs.push(processed);
      bytesIn += payload.length;
      bytesUp += recordsOf(processed).reduce((n, r) => n + r.payload.length, 0);
      expect(bytesUp, `after seq ${seq}`).toBeLessThanOrEqual(bytesIn);
    }
    // The local rule saw the held window at seq 5, at once: its event goes up in that block's hand-over, no record with it.
    expect(outputs.map((p) => eventsOf(p).map((e) => [e.state, e.tsMs - START_MS]))).toEqual(levels.map((_, seq) => (seq === 5 ? [['raised', 50_000]] : seq === 6 ? [['cleared', 60_000]] : [])));
    expect(recordsOf(outputs[5]!)).toEqual([]);

    const drained = await edge.flush();
    const records = [...outputs, drained].flatMap((p) => recordsOf(p).map((r) => decodeMessage(r.payload) as FeaturesV2));
    // Every block in exactly one record, in order; the step at seq 9 is a record of its own (the held seqs before it one more).
    expect(records.flatMap((r) => Array.from({ length: r.blocks! }, (_, i) => r.seq + i))).toEqual(levels.map((_, seq) => seq));
    expect(records.find((r) => r.seq === 9)).toMatchObject({ blocks: 1, features: { mean: 22 } });
    expect(records.every((r) => r.gateway === 'gw-7' && r.model === undefined)).toBe(true);
    // Each inbox row is released once, with the record that carries its block.
    const released = [...outputs, drained].flatMap((p) => p.release);
    expect([...released].sort()).toEqual(levels.map((_, seq) => 1000 + seq));
    for (const p of [...outputs, drained]) {
      const carried = recordsOf(p)
        .map((r) => decodeMessage(r.payload) as FeaturesV2)
        .flatMap((r) => Array.from({ length: r.blocks! }, (_, i) => 1000 + r.seq + i));
      expect([...p.release].sort()).toEqual(carried.sort());
    }
  });
});
