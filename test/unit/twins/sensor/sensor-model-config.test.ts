import { describe, expect, it } from 'vitest';
import { TwinbedError } from '../../../../protocol/index';
import { SensorFaultSchema, SensorModelSchema } from '../../../../twins/sensor/index';
import { sensorChannel } from './sensor-fixtures';

describe('SensorModelSchema', () => {
  it('defaults to an ideal sensor: unit gain, no offset, no noise, no filter, no lag', () => {
    expect(SensorModelSchema.parse({})).toEqual({
      sensitivity: 1,
      scaleFactorError: 0,
      bias: 0,
      noiseDensity: 0,
      biasInstability: 0,
      biasCorrelationS: 100,
      decimation: 1,
      timeConstantS: 0,
      clockJitterS: 0,
      clockSkewPpm: 0,
    });
  });

  it('documents every field with its default', () => {
    const fields = Object.entries(SensorModelSchema.shape);
    expect(fields).toHaveLength(13);
    for (const [name, field] of fields) {
      expect(field.description, name).toMatch(/Default/);
    }
  });

  it('rejects adcBits without range and says what to set', () => {
    const result = SensorModelSchema.safeParse({ adcBits: 16 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['adcBits']);
    expect(result.error?.issues[0]?.message).toBe('adcBits needs range: the ADC spans ±range, so set range (full scale, output units) or remove adcBits');
    expect(SensorModelSchema.parse({ adcBits: 16, range: 2 })).toMatchObject({ adcBits: 16, range: 2 });
  });

  it('rejects unknown fields, a zero sensitivity and fractional or out-of-range adcBits and decimation', () => {
    expect(SensorModelSchema.safeParse({ noiseDensty: 1e-4 }).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(SensorModelSchema.safeParse({ sensitivity: 0 }).success).toBe(false);
    expect(SensorModelSchema.safeParse({ range: 2, adcBits: 12.5 }).success).toBe(false);
    expect(SensorModelSchema.safeParse({ range: 2, adcBits: 3 }).success).toBe(false);
    expect(SensorModelSchema.safeParse({ range: 2, adcBits: 33 }).success).toBe(false);
    expect(SensorModelSchema.safeParse({ decimation: 0 }).success).toBe(false);
    expect(SensorModelSchema.safeParse({ decimation: 2.5 }).success).toBe(false);
    expect(SensorModelSchema.safeParse({ noiseDensity: -1 }).success).toBe(false);
  });
});

describe('SensorFaultSchema', () => {
  const target = { device: 'pump-1', sensor: 'accel' };

  it('parses each fault type and gives sized faults full severity by default', () => {
    expect(SensorFaultSchema.parse({ type: 'drift', ...target, atS: 5, ratePerS: 0.01 })).toMatchObject({
      type: 'drift',
      ...target,
      atS: 5,
      ratePerS: 0.01,
      severity: 1,
    });
    expect(SensorFaultSchema.parse({ type: 'stuck', ...target, atS: 1, forS: 2 })).toEqual({ type: 'stuck', ...target, atS: 1, forS: 2 });
    for (const fault of [
      { type: 'bias-jump', offset: 0.1 },
      { type: 'spikes', ratePerS: 2, amplitude: 5 },
      { type: 'dropout' },
      { type: 'clipping', level: 1.5 },
      { type: 'noise-burst', noiseRms: 0.2 },
      { type: 'calibration', gainError: -0.05 },
      { type: 'timestamp-skew', offsetMs: 120, driftPpm: 50 },
    ]) {
      expect(SensorFaultSchema.parse({ ...target, atS: 0, ...fault }).type).toBe(fault.type);
    }
  });

  it('rejects an unknown type, a ramp without rampS, and growth fields on an on/off fault', () => {
    expect(SensorFaultSchema.safeParse({ type: 'melted', ...target, atS: 0 }).success).toBe(false);
    const ramp = SensorFaultSchema.safeParse({ type: 'bias-jump', ...target, atS: 0, offset: 1, growth: 'ramp' });
    expect(ramp.error?.issues[0]).toMatchObject({ path: ['rampS'], message: 'growth "ramp" needs rampS (seconds to full severity)' });
    expect(SensorFaultSchema.safeParse({ type: 'stuck', ...target, atS: 0, severity: 0.5 }).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(SensorFaultSchema.safeParse({ type: 'spikes', ...target, atS: 0, ratePerS: 0, amplitude: 1 }).success).toBe(false);
    expect(SensorFaultSchema.safeParse({ type: 'drift', device: 'pump/1', sensor: 'accel', atS: 0, ratePerS: 1 }).success).toBe(false);
  });
});

describe('SensorChannel construction', () => {
  it('refuses an anti-alias cutoff at or above half the oversampled rate, naming the limit', () => {
    const build = () => sensorChannel({ rateHz: 1000, blockSamples: 100, model: { antiAliasHz: 600 } });
    expect(build).toThrow(TwinbedError);
    expect(build).toThrow('antiAliasHz 600 must be below half the oversampled rate, 500 Hz');
    expect(() => sensorChannel({ rateHz: 1000, blockSamples: 100, model: { antiAliasHz: 600, decimation: 2 } })).not.toThrow();
  });

  it('refuses jitter of a whole sample period, where x(t) + x′·δ is meaningless', () => {
    expect(() => sensorChannel({ rateHz: 1000, blockSamples: 10, model: { clockJitterS: 1e-3 } })).toThrow(/clockJitterS/);
  });
});
