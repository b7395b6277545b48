import { describe, expect, it } from 'vitest';
import { PipelineSchema, PRIORITY, type EdgeProcessor, type Processed } from '../../../gateway/index';
import { decodeMessage, encodeMessage, topics, type FeaturesV2, type TelemetryV1 } from '../../../protocol/index';
import { testEdgeProcessor } from '../../support/edge-processor';

const SITE = 'site-1';
const START_MS = Date.UTC(2026, 0, 1);

/** Windows of 10 one-second blocks; `idleFlushS` as given. */
function processor(idleFlushS: number | undefined, flushed: string[] = []): EdgeProcessor {
  return testEdgeProcessor(
    {
      site: SITE,
      pipelines: [PipelineSchema.parse({ sensors: ['*'], window: { blocks: 10, function: 'rect', ...(idleFlushS ? { idleFlushS } : {}) }, features: { stats: ['rms'] } })],
      onIdleFlush: ({ device, sensor }) => flushed.push(`${device}/${sensor}`),
    },
    START_MS,
  );
}

/** Block `seq` of `device`: 1 s of 100 samples at 100 Hz starting at seq s of event time. */
function block(device: string, seq: number): [Buffer, { topic: string }] {
  const message: TelemetryV1 = { type: 'telemetry', v: 1, device, sensor: 'temp', seq, tsMs: START_MS + seq * 1000, rateHz: 100, unit: 'C', values: new Array(100).fill(20) };
  return [Buffer.from(encodeMessage(message, 'cbor')), { topic: topics.telemetry(SITE, device, 'temp') }];
}

const windowsOf = (processed: Processed) =>
  processed.enqueue.filter((m) => m.priority === PRIORITY.features).map((m) => {
    const w = decodeMessage(m.payload) as FeaturesV2;
    return `${w.device} seq ${w.seq} × ${w.blocks}`;
  });

describe('idle flush of a silent stream', () => {
  it('sends a silent device\'s partial window once the newest reading is idleFlushS past its last, with its inbox rows', async () => {
    const flushed: string[] = [];
    const edge = processor(30, flushed);
    let id = 0;
    const pump1Ids: number[] = [];
    for (let seq = 0; seq < 4; seq++) {
      pump1Ids.push(++id);
      expect(windowsOf(await edge.process(...block('pump-1', seq), 1, id))).toEqual([]);
    }
    // pump-1 fell silent at 4 s of event time; pump-2 goes on. Its block 33 ends at 34 s: 30 s of silence.
    const seen: string[] = [];
    let flushedAt: Processed | undefined;
    for (let seq = 0; seq < 40; seq++) {
      const processed = await edge.process(...block('pump-2', seq), 1, ++id);
      const pump1 = windowsOf(processed).filter((w) => w.startsWith('pump-1'));
      if (pump1.length > 0) {
        flushedAt = processed;
        seen.push(`at pump-2 seq ${seq}: ${pump1.join(', ')}`);
      }
    }
    expect(seen).toEqual(['at pump-2 seq 33: pump-1 seq 0 × 4']);
    // The rows of the partial window are released in the same hand-over that queues it.
    expect(flushedAt!.release).toEqual(expect.arrayContaining(pump1Ids));
    expect(flushed).toEqual(['pump-1/temp']);

    // pump-1 comes back: its later blocks open a new window, nothing is lost or sent twice.
    const back: string[] = [];
    for (let seq = 4; seq < 20; seq++) back.push(...windowsOf(await edge.process(...block('pump-1', seq), 1, ++id)));
    expect(back).toEqual(['pump-1 seq 4 × 6', 'pump-1 seq 10 × 10']);
  });

  it('never flushes a stream without idleFlushS, however long it is silent', async () => {
    const flushed: string[] = [];
    const edge = processor(undefined, flushed);
    for (let seq = 0; seq < 4; seq++) await edge.process(...block('pump-1', seq), 1);
    const pump1: string[] = [];
    for (let seq = 0; seq < 200; seq++) pump1.push(...windowsOf(await edge.process(...block('pump-2', seq), 1)).filter((w) => w.startsWith('pump-1')));
    expect(pump1).toEqual([]);
    expect(flushed).toEqual([]);
    expect(windowsOf(await edge.flush()).filter((w) => w.startsWith('pump-1'))).toEqual(['pump-1 seq 0 × 4']);
  });
});
