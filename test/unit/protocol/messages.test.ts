import { describe, expect, it } from 'vitest';
import {
  CommandV1Schema,
  EventV1Schema,
  FeaturesV1Schema,
  MESSAGE_SCHEMAS,
  SampleValuesSchema,
  StatusV1Schema,
  TelemetryV1Schema,
} from '../../../protocol/index';
import { alertEvent, command, features, status, telemetryArray, telemetryPacked } from './sample-messages';

const firstIssuePath = (result: { error?: { issues: ReadonlyArray<{ path: PropertyKey[] }> } }) => result.error?.issues[0]?.path;

describe('message schema table', () => {
  it('maps each message type to its version-1 schema, whose type literal matches the key', () => {
    expect(Object.keys(MESSAGE_SCHEMAS).sort()).toEqual(['cmd', 'deadletter', 'event', 'features', 'raw', 'reply', 'signed', 'status', 'telemetry', 'truth']);
    for (const [type, versions] of Object.entries(MESSAGE_SCHEMAS)) {
      expect(Object.keys(versions), type).toEqual(['1']);
      expect(versions[1].shape.type.value, type).toBe(type);
      expect(versions[1].shape.v.value, type).toBe(1);
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

  it('reject a status outside online/offline and a command without an action', () => {
    expect(firstIssuePath(StatusV1Schema.safeParse({ ...status, state: 'sleeping' }))).toEqual(['state']);
    expect(firstIssuePath(CommandV1Schema.safeParse({ ...command, action: '' }))).toEqual(['action']);
  });
});
