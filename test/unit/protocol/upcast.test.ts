import { describe, expect, it } from 'vitest';
import { decodeAs, encodeMessage, FeaturesV2Schema, upcastFeatures } from '../../../protocol/index';
import { features, featuresV2 } from './sample-messages';

describe('upcastFeatures', () => {
  it('turns a v1 window into a valid v2 one with every v1 field kept and no gateway or model score', () => {
    const upcast = upcastFeatures(features);
    expect(upcast).toEqual({ ...features, v: 2 });
    expect(upcast).not.toHaveProperty('gateway');
    expect(upcast).not.toHaveProperty('model');
    expect(FeaturesV2Schema.parse(upcast)).toEqual(upcast);
  });

  it('passes a v2 window through with its gateway and model score', () => {
    expect(upcastFeatures(featuresV2)).toBe(featuresV2);
  });

  it('gives one shape to a reader of both versions off the wire', () => {
    const windows = [features, featuresV2].map((message) => upcastFeatures(decodeAs(encodeMessage(message, 'json'), 'features')));
    expect(windows.map((w) => [w.v, w.seq, w.gateway, w.model?.score])).toEqual([
      [2, 41, undefined, undefined],
      [2, 42, 'gw-1', 0.1],
    ]);
  });
});
