import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PRIORITY } from '../../../../gateway/index';
import { decodeMessage, type FeaturesV2 } from '../../../../protocol/index';
import { testEdgeProcessor } from '../../../support/edge-processor';
import { GOLDEN_PUMP_FEATURES as GOLDEN, PUMP_SITE, pumpAccelBlocks } from '../../../support/pump-blocks';

/** The feature records of the fixed input through the default vibration pipeline, in order. */
async function goldenInputFeatures(): Promise<FeaturesV2[]> {
  const edge = testEdgeProcessor({ site: PUMP_SITE, pipelines: [] });
  const records: FeaturesV2[] = [];
  for (const { topic, payload } of await pumpAccelBlocks(10)) {
    for (const message of (await edge.process(payload, { topic }, 1)).enqueue) {
      if (message.priority === PRIORITY.features) records.push(decodeMessage(message.payload) as FeaturesV2);
    }
  }
  return records;
}

// The committed file holds the features of the gateway's pipeline as it was when DSP speed work began (JSON keeps
// every double exactly). A faster FFT, another thread or fewer copies must reproduce it bit for bit; a deliberate
// change of the analysis regenerates it with TWINBED_UPDATE_GOLDEN=1 and says why in its commit.
describe('default vibration features on a fixed input', () => {
  it('are bit-identical to the committed golden records', async () => {
    const records = await goldenInputFeatures();
    if (process.env.TWINBED_UPDATE_GOLDEN === '1') await writeFile(GOLDEN, `${JSON.stringify(records, null, 1)}\n`);
    const golden = JSON.parse(await readFile(GOLDEN, 'utf8')) as FeaturesV2[];
    expect(records).toHaveLength(20);
    expect(records.map((r) => `${r.device}:${r.seq}`)).toEqual(golden.map((r) => `${r.device}:${r.seq}`));
    expect(records).toEqual(golden);
    // Not vacuous: the faulted pump's impacts show in kurtosis and in the resonance band, the healthy one's do not.
    const last = (device: string) => records.find((r) => r.device === device && r.seq === 225)!.features;
    expect(last('pump-1').kurtosis).toBeLessThan(3);
    expect(last('pump-2').kurtosis).toBeGreaterThan(10);
    expect(last('pump-2')['band1000_5000Hz']!).toBeGreaterThan(100 * last('pump-1')['band1000_5000Hz']!);
  });
});
