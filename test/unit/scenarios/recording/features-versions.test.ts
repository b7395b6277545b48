import { describe, expect, it } from 'vitest';
import { encodeMessage, type FeaturesV1, type FeaturesV2 } from '../../../../protocol';
import { recordedEntry, schemaFor } from '../../../../scenarios/recording';
import { recordedMessage } from '../../../../scenarios/recording/payload';

const v1: FeaturesV1 = {
  type: 'features',
  v: 1,
  device: 'pump-1',
  sensor: 'accel',
  seq: 3,
  tsMs: Date.UTC(2026, 0, 1),
  windowMs: 1000,
  unit: 'g',
  features: { rms: 0.5, peak: 1.5, crest: 3 },
};
const v2: FeaturesV2 = { ...v1, v: 2, gateway: 'gw-1', model: { version: 'v7', score: 2.5, threshold: 1.25 } };

const entryOf = (message: FeaturesV1 | FeaturesV2) => recordedEntry('twinbed/v1/lab/pump-1/features/accel', encodeMessage(message, 'cbor'), 'features', { qos: 1, retain: false }, 0, 'event');

describe('recording features windows of both versions', () => {
  it('gives a v2 window a channel schema of its own version, which declares the gateway and the model score', () => {
    const [info1, info2] = [entryOf(v1).info, entryOf(v2).info];
    expect([info1.v, info2.v]).toEqual([1, 2]);
    const schema = schemaFor(info2);
    expect(schema.name).toBe('twinbed.features.v2');
    expect(schema.data).toMatchObject({ title: 'twinbed features v2', properties: { v: { const: 2 }, gateway: { type: 'string' }, model: { type: 'object' } } });
    expect(schemaFor(info1).name).toBe('twinbed.features.v1');
  });

  it('reads each window back against its own version, the model score included', () => {
    const entry = entryOf(v2);
    expect(recordedMessage(entry.info, entry.data, 'test')).toEqual(v2);
    const old = entryOf(v1);
    // A channel recorded before features v2 has no `v` in its metadata: the message's own `v` still picks the schema.
    const { v: _v, ...legacy } = old.info;
    expect(recordedMessage(legacy, old.data, 'test')).toEqual(v1);
    expect(recordedMessage(legacy, entry.data, 'test')).toEqual(v2);
  });
});
