import { describe, expect, it } from 'vitest';
import { HealthBook } from '../../../web/client/health';
import { headline } from '../../../web/client/headline';
import type { LiveReading } from '../../../web/client/live-reading';

const reading = (device: string, sensor: string, unit: string, features: Record<string, number>, score?: LiveReading['score']): LiveReading => ({
  device,
  sensor,
  seq: 0,
  tsMs: 0,
  windowMs: 1000,
  unit,
  features,
  ...(score ? { score } : {}),
});

describe('a machine health from its own sensors', () => {
  const rules = [{ metric: 'rms', sensor: 'accel', above: 0.2 }];

  it('is waiting before any reading, and unwatched (not green) when no rule or model watches its sensors', () => {
    const book = new HealthBook(rules);
    expect(book.state('conveyor-1').level).toBe('waiting');
    book.onReading(reading('conveyor-1', 'imu-az', 'g', { rms: 0.4, peak: 1 }));
    const state = book.state('conveyor-1');
    expect(state.level).toBe('unwatched');
    expect(state.colour.b).toBeGreaterThan(state.colour.g);
  });

  it('follows the worst watched value over its threshold: ok below half, warning from half, alarm at it', () => {
    const book = new HealthBook(rules);
    book.onReading(reading('pump-1', 'accel', 'g', { rms: 0.05 }));
    expect(book.state('pump-1')).toMatchObject({ level: 'ok', ratio: 0.25 });
    book.onReading(reading('pump-1', 'accel', 'g', { rms: 0.12 }));
    expect(book.state('pump-1').level).toBe('warning');
    book.onReading(reading('pump-1', 'accel', 'g', { rms: 0.2 }));
    expect(book.state('pump-1').level).toBe('alarm');
  });

  it('counts the edge model score against its threshold, so a robot arm with a model is watched', () => {
    const book = new HealthBook(rules);
    book.onReading(reading('robot-1', 'imu-az', 'g', { rms: 1 }, { value: 3, threshold: 4 }));
    expect(book.state('robot-1')).toMatchObject({ level: 'warning', ratio: 0.75 });
  });

  it('is in alarm while an alert is raised on it, whatever its values, and not after it clears', () => {
    const book = new HealthBook(rules);
    book.onReading(reading('robot-2', 'imu-az', 'g', { rms: 1 }));
    const alert = { device: 'robot-2', sensor: 'imu-az', tsMs: 5, rule: 'collision', state: 'raised', severity: 'critical', value: 9, threshold: 3, message: 'collision' } as const;
    book.onAlert(alert);
    expect(book.state('robot-2')).toMatchObject({ level: 'alarm', alerts: [alert] });
    book.onAlert({ ...alert, state: 'cleared' });
    expect(book.state('robot-2').level).toBe('unwatched');
  });
});

describe('the headline value of a sensor', () => {
  it('shows vibration as RMS and peak, and a slow signal as its mean in its unit', () => {
    expect(headline(reading('pump-1', 'accel', 'g', { rms: 0.0264, peak: 0.0721, mean: 0 })).text).toBe('RMS 0.026 g · peak 0.072 g');
    expect(headline(reading('pump-1', 'winding-temp', 'degC', { mean: 68.14, rms: 68.14 })).text).toBe('68.1 °C');
    expect(headline(reading('conveyor-1', 'belt-speed', 'm/s', { mean: 1.204 })).text).toBe('1.20 m/s');
    // An IMU axis at rest: gravity's share, not the high-passed RMS that read 0.0 g.
    expect(headline(reading('conveyor-1', 'imu-az', 'g', { dc: 0.9987, rms: 0.0031, peak: 0.01 })).text).toBe('mean 0.999 g · RMS 0.0031 g');
  });
});
