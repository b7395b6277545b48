import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PipelineSchema, PipelinesSchema, SensorPipeline, defaultPipelineFor, pipelineFor } from '../../../../gateway/dsp/index';
import { ConfigError, parseYamlConfig } from '../../../../protocol/index';

const GatewayPart = z.object({ pipelines: PipelinesSchema }).strict();

/** The examples given in the pipeline documentation: a vibration sensor and a temperature sensor. */
const EXAMPLE = `
pipelines:
  - sensors: [accel]
    stages:
      - { type: validate, unit: g, min: -50, max: 50 }
      - { type: hampel, halfWidth: 3, threshold: 3 }
      - { type: highpass, cutoffHz: 2 }
    window: { seconds: 1, overlap: 0, function: hann }
    features:
      stats: [rms, peak, crest, kurtosis, skewness]
      bandsHz: [[10, 1000], [1000, 5000], [5000, 10000]]
      peaks: 3
      envelope:
        bandHz: [2500, 4500]
        bearing: { balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 }
        shaftRpmFrom: peak
        shaftSearchHz: [10, 60]
    rawUplink: { mode: around-events, preS: 5, postS: 5, encoding: delta-f32-gzip }
  - sensors: [temp]
    stages:
      - { type: validate, unit: degC, min: -40, max: 150 }
    window: { blocks: 1, function: rect }
    features: { stats: [mean, rms, peak, crest] }
    deadband: { delta: 0.5, maxIntervalS: 60, feature: mean }
`;

/** The ConfigError that parsing `yaml` throws. */
function configError(yaml: string): ConfigError {
  try {
    parseYamlConfig(yaml, 'gateway.yaml', GatewayPart);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the YAML to be rejected');
}

describe('pipeline config', () => {
  it('parses the documented vibration and temperature examples, filling defaults', () => {
    const { pipelines } = parseYamlConfig(EXAMPLE, 'gateway.yaml', GatewayPart);
    expect(pipelines).toHaveLength(2);
    const [vibration, temperature] = pipelines;
    expect(vibration!.stages[2]).toEqual({ type: 'highpass', cutoffHz: 2, sections: 1 });
    expect(vibration!.features.envelope?.bearing.balls).toBe(9);
    expect(temperature!.deadband).toEqual({ delta: 0.5, maxIntervalS: 60, feature: 'mean' });
    expect(temperature!.features).toEqual({ stats: ['mean', 'rms', 'peak', 'crest'], bandsHz: [], peaks: 0, dc: false });
    expect(pipelineFor(pipelines, 'temp', { unit: 'degC', rateHz: 1 })).toBe(temperature);
  });

  it('names the file, line and path of a validate stage placed after a filter', () => {
    const error = configError(`pipelines:
  - sensors: [accel]
    stages:
      - { type: highpass, cutoffHz: 2 }
      - { type: validate, max: 5 }
`);
    expect(error.message).toBe("gateway.yaml:3 pipelines[0].stages: validate stages may follow only scale or validate stages: a rejected block must never reach a filter's state");
  });

  it('rejects contradictory or incomplete settings with the field to fix', () => {
    const messages = (yaml: string) => configError(yaml).issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages(`pipelines:
  - sensors: [accel]
    window: { seconds: 1, blocks: 4 }
`)).toEqual(['pipelines[0].window.blocks: set either seconds or blocks, not both']);
    expect(
      messages(`pipelines:
  - sensors: [accel]
    features:
      envelope: { bandHz: [2500, 4500], bearing: { balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04 }, shaftRpm: 1500, shaftRpmFrom: peak }
`),
    ).toEqual(['pipelines[0].features.envelope.shaftRpm: set exactly one of shaftRpm and shaftRpmFrom']);
    expect(messages(`pipelines:
  - sensors: [accel]
    features: { bandsHz: [[1000, 10]] }
`)).toEqual(['pipelines[0].features.bandsHz[0]: a band is [loHz, hiHz] with loHz < hiHz']);
    expect(messages(`pipelines:
  - sensors: [accel]
    stages: [{ type: bandpass, centerHz: 3500 }]
`)[0]).toMatch(/^pipelines\[0\]\.stages\[0\]\.q: /);
    expect(messages(`pipelines:
  - sensors: [accel]
    window: { overlap: 0.95 }
`)[0]).toMatch(/^pipelines\[0\]\.window\.overlap: /);
  });

  it('describes every field with its unit or default, for the emitted JSON Schema', () => {
    const schema = JSON.stringify(z.toJSONSchema(PipelineSchema, { io: 'input' }));
    for (const phrase of ['Default 1 s', 'Default 3.', 'Hz', 'Default 60', 'Default delta-f32-gzip', 'Default 6 (12th order']) expect(schema).toContain(phrase);
  });
});

describe('default pipelines', () => {
  it('gives g sensors the vibration pipeline (raw around events), slow sensors two blocks a window, the rest one record per block, none inflating', () => {
    const vibration = defaultPipelineFor({ unit: 'g', rateHz: 25_600 });
    // No Hampel: bearing impacts are the outliers a defect is recognised by.
    expect(vibration.stages.map((s) => s.type)).toEqual(['highpass']);
    expect(vibration.window).toEqual({ seconds: 1, overlap: 0, function: 'hann' });
    expect(vibration.features.bandsHz).toEqual([
      [10, 1000],
      [1000, 5000],
      [5000, 10_000],
    ]);
    expect(vibration.features.peaks).toBe(3);
    expect(vibration.rawUplink).toEqual({ mode: 'around-events', preS: 2, postS: 2, encoding: 'delta-f32-gzip' });
    // Issue 12: a slow sensor's record costs more than one of its blocks and less than two, so a window is two
    // blocks (it was one, which inflated the stream); no report by exception unless a site declares it.
    const slow = defaultPipelineFor({ unit: 'degC', rateHz: 1 });
    expect(slow.deadband).toBeUndefined();
    expect(slow.window.blocks).toBe(2);
    expect(defaultPipelineFor({ unit: 'bar', rateHz: 100 }).window.blocks).toBe(1);
    for (const stream of [
      { unit: 'g', rateHz: 25_600 },
      { unit: 'g', rateHz: 100 },
      { unit: 'degC', rateHz: 1 },
      { unit: 'bar', rateHz: 100 },
    ]) {
      expect(defaultPipelineFor(stream).neverInflate, `${stream.unit} at ${stream.rateHz} Hz`).toBe(true);
    }
    expect(PipelineSchema.parse({ sensors: ['*'] }).neverInflate).toBe(false);
    // A configured pipeline wins over the defaults; `*` catches every sensor.
    const all = PipelineSchema.parse({ sensors: ['*'], window: { blocks: 1 } });
    expect(pipelineFor([all], 'accel', { unit: 'g', rateHz: 25_600 })).toBe(all);
    expect(SensorPipeline.matches(all, 'temp')).toBe(true);
  });
});
