import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CommandV1Schema,
  EventV1Schema,
  FeaturesV1Schema,
  FeaturesV2Schema,
  MESSAGE_SCHEMAS,
  SampleValuesSchema,
  StatusV1Schema,
  TelemetryV1Schema,
} from '../../../protocol/index';
import { alertEvent, command, features, featuresV2, status, telemetryArray, telemetryPacked } from './sample-messages';

const firstIssuePath = (result: { error?: { issues: ReadonlyArray<{ path: PropertyKey[] }> } }) => result.error?.issues[0]?.path;

describe('message schema table', () => {
  it('maps each message type to its schemas by version, whose type and v literals match the keys', () => {
    expect(Object.keys(MESSAGE_SCHEMAS).sort()).toEqual(['cmd', 'deadletter', 'event', 'features', 'raw', 'reply', 'rollout', 'signed', 'status', 'telemetry', 'truth']);
    const versions = Object.fromEntries(Object.entries(MESSAGE_SCHEMAS).map(([type, byVersion]) => [type, Object.keys(byVersion)]));
    expect(versions).toEqual({ telemetry: ['1'], features: ['1', '2'], event: ['1'], status: ['1'], cmd: ['1'], reply: ['1'], deadletter: ['1'], truth: ['1'], raw: ['1'], signed: ['1'], rollout: ['1'] });
    for (const [type, byVersion] of Object.entries(MESSAGE_SCHEMAS)) {
      for (const [v, schema] of Object.entries(byVersion as Record<string, z.ZodObject<{ type: z.ZodLiteral<string>; v: z.ZodLiteral<number> }>>)) {
        expect(schema.shape.type.value, `${type} v${v}`).toBe(type);
        expect(schema.shape.v.value, `${type} v${v}`).toBe(Number(v));
      }
    }
  });
});

describe('TelemetryV1Schema', () => {
  it('accepts both sample representations', () => {
    expect(TelemetryV1Schema.parse(telemetryArray).values).toEqual(telemetryArray.values);
    expect(TelemetryV1Schema.parse(telemetryPacked).values).toBeInstanceOf(Float32Array);
  });

  it('rejects a non-finite sample in a number[] block', () => {
    expect(SampleValuesSchema.safeParse([1, Number.POSITIVE_INFINITY]).success).toBe(false);
    expect(SampleValuesSchema.safeParse([1, Number.NaN]).success).toBe(false);
  });

  it('rejects other typed arrays, which would change the sample width', () => {
    expect(SampleValuesSchema.safeParse(new Float64Array([1])).success).toBe(false);
    expect(SampleValuesSchema.safeParse(new Int16Array([1])).success).toBe(false);
  });

  it.each([
    ['rateHz', 0],
    ['rateHz', -1000],
    ['rateHz', Number.POSITIVE_INFINITY],
    ['unit', ''],
    ['unit', 'x'.repeat(17)],
    ['tsMs', Number.NaN],
    ['sensor', 'a/b'],
  ])('rejects %s = %s', (field, value) => {
    expect(firstIssuePath(TelemetryV1Schema.safeParse({ ...telemetryArray, [field]: value }))).toEqual([field]);
  });

  it('rejects unknown fields', () => {
    const result = TelemetryV1Schema.safeParse({ ...telemetryArray, gain: 2 });
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['gain'] });
  });
});

describe('FeaturesV1Schema', () => {
  it('accepts extra named numeric features beside rms, peak and crest', () => {
    expect(FeaturesV1Schema.parse(features).features).toEqual({ rms: 0.7071, peak: 1, crest: 1.4142, kurtosis: 3.02, bpfoAmpl: 0.013 });
  });

  it.each(['rms', 'peak', 'crest'])('requires %s', (name) => {
    const { [name]: _dropped, ...rest } = features.features;
    expect(firstIssuePath(FeaturesV1Schema.safeParse({ ...features, features: rest }))).toEqual(['features', name]);
  });

  it('rejects a non-finite feature value', () => {
    const result = FeaturesV1Schema.safeParse({ ...features, features: { ...features.features, kurtosis: Number.NaN } });
    expect(firstIssuePath(result)).toEqual(['features', 'kurtosis']);
  });
});

describe('FeaturesV2Schema', () => {
  it('carries the computing gateway and the model score beside every v1 field', () => {
    expect(FeaturesV2Schema.parse(featuresV2)).toEqual({ ...features, v: 2, seq: 42, blocks: 2, gateway: 'gw-1', model: { version: '2026-01-15.1', score: 0.1, threshold: 4.5 } });
  });

  it('makes gateway and model optional: a window no model scored', () => {
    const { gateway: _gateway, model: _model, ...bare } = featuresV2;
    expect(FeaturesV2Schema.parse(bare)).toEqual(bare);
  });

  it('takes v 2 only: a v1 window is not a v2 one, nor the other way round', () => {
    expect(firstIssuePath(FeaturesV2Schema.safeParse(features))).toEqual(['v']);
    expect(firstIssuePath(FeaturesV1Schema.safeParse(featuresV2))).toEqual(['v']);
  });

  it.each([
    ['score', Number.NaN],
    ['score', Number.POSITIVE_INFINITY],
    ['threshold', 0],
    ['threshold', -1],
    ['version', ''],
  ])('rejects model.%s = %s', (field, value) => {
    expect(firstIssuePath(FeaturesV2Schema.safeParse({ ...featuresV2, model: { ...featuresV2.model, [field]: value } }))).toEqual(['model', field]);
  });

  it('rejects unknown fields, in the model too', () => {
    expect(FeaturesV2Schema.safeParse({ ...featuresV2, modelScore: 1 }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['modelScore'] });
    expect(FeaturesV2Schema.safeParse({ ...featuresV2, model: { ...featuresV2.model, over: true } }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['over'], path: ['model'] });
  });
});

describe('EventV1Schema', () => {
  it('makes the sensor optional, for device-level alerts', () => {
    const { sensor: _sensor, ...deviceLevel } = alertEvent;
    expect(EventV1Schema.parse(deviceLevel).sensor).toBeUndefined();
  });

  it.each([
    ['kind', 'notice'],
    ['state', 'pending'],
    ['severity', 'info'],
    ['rule', ''],
  ])('rejects %s = %j', (field, value) => {
    expect(firstIssuePath(EventV1Schema.safeParse({ ...alertEvent, [field]: value }))).toEqual([field]);
  });
});

describe('StatusV1Schema and CommandV1Schema', () => {
  it('make counters and args optional', () => {
    const { counters: _counters, ...bareStatus } = status;
    const { args: _args, ...bareCommand } = command;
    expect(StatusV1Schema.safeParse(bareStatus).success).toBe(true);
    expect(CommandV1Schema.safeParse(bareCommand).success).toBe(true);
  });

  it('let a status say which model versions a gateway runs, as strings beside its numeric counters', () => {
    const withModel = { ...status, model: { active: 'v2', previous: 'v1' } };
    expect(StatusV1Schema.parse(withModel).model).toEqual({ active: 'v2', previous: 'v1' });
    expect(firstIssuePath(StatusV1Schema.safeParse({ ...status, model: { active: 2 } }))).toEqual(['model', 'active']);
    expect(firstIssuePath(StatusV1Schema.safeParse({ ...status, counters: { 'model.active': 'v2' } }))).toEqual(['counters', 'model.active']);
  });

  it('reject a status outside online/offline and a command without an action', () => {
    expect(firstIssuePath(StatusV1Schema.safeParse({ ...status, state: 'sleeping' }))).toEqual(['state']);
    expect(firstIssuePath(CommandV1Schema.safeParse({ ...command, action: '' }))).toEqual(['action']);
  });
});
