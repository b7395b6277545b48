import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../sim/index';
import { ThermalNetwork, ThermalSchema, constantDrivers } from '../../../../twins/thermal/index';
import { argmax, autocorrelation, correlation, mean, network, read, readTogether, std } from './sampling';

const DAY_S = 86_400;
const PER_MINUTE = 1 / 60;

describe('ambient temperature', () => {
  it('has the configured mean, amplitude and peak hour, with run time 0 at midnight', () => {
    // T_a = 25 + 4·cos(2π·(t/3600 − 15)/24): max 29 °C at 15:00, min 21 °C at 03:00, mean 25 °C over whole days.
    const ambient = read(network().ambient, PER_MINUTE, 60, 3 * DAY_S);
    expect(mean(ambient)).toBeCloseTo(25, 9);
    expect(Math.max(...ambient)).toBeCloseTo(29, 9);
    expect(Math.min(...ambient)).toBeCloseTo(21, 9);
    expect(argmax(ambient.subarray(0, 24 * 60)) / 60).toBe(15);
    expect(ambient[0]).toBeCloseTo(25 + 4 * Math.cos((2 * Math.PI * -15) / 24), 12);
  });

  it('moves the peak to run time 9 h when the run starts at 06:00, and follows a configured 13:30 peak', () => {
    const fromSix = read(network({}, constantDrivers(), { startHourOfDay: 6 }).ambient, PER_MINUTE, 60, DAY_S);
    expect(argmax(fromSix) / 60).toBe(9);
    const custom = read(network({ ambientMeanC: 10, ambientDailyAmplitudeC: 7, ambientPeakHour: 13.5 }).ambient, PER_MINUTE, 60, DAY_S);
    expect(argmax(custom) / 60).toBe(13.5);
    expect(Math.max(...custom)).toBeCloseTo(17, 9);
    expect(mean(custom)).toBeCloseTo(10, 9);
  });
});

describe('ambient humidity', () => {
  it('is anti-correlated with ambient temperature over days (r < −0.5)', () => {
    // Daily part ±10 %RH in antiphase (variance 50) plus Gauss–Markov σ = 5 (variance 25): r ≈ −√(50/75) = −0.82.
    const net = network();
    const [ambient, humidity] = readTogether(
      [net.ambient, net.humidity].map((measurand) => ({ measurand, rateHz: PER_MINUTE, blockSamples: 10 })),
      10 * DAY_S,
    );
    const r = correlation(ambient!, humidity!);
    expect(r).toBeLessThan(-0.5);
    expect(r).toBeGreaterThan(-0.95);
    expect(mean(humidity!)).toBeGreaterThan(45);
    expect(mean(humidity!)).toBeLessThan(55);
  });

  it('stays within 0–100 %RH, clamping a humid site at 100 and a dry one at 0', () => {
    const humid = read(network({ humidityMeanPct: 92, humidityDailyAmplitudePct: 8, humiditySlowSigmaPct: 15 }).humidity, PER_MINUTE, 60, 10 * DAY_S);
    expect(Math.max(...humid)).toBe(100);
    expect(humid.filter((v) => v === 100).length).toBeGreaterThan(100);
    expect(Math.min(...humid)).toBeGreaterThanOrEqual(0);
    const dry = read(network({ humidityMeanPct: 8, humidityDailyAmplitudePct: 8, humiditySlowSigmaPct: 15 }).humidity, PER_MINUTE, 60, 10 * DAY_S);
    expect(Math.min(...dry)).toBe(0);
    expect(dry.filter((v) => v === 0).length).toBeGreaterThan(100);
    expect(Math.max(...dry)).toBeLessThanOrEqual(100);
  });

  it('gives the slow variation the configured σ and correlation time (Gauss–Markov: ρ(τ) = e^(−1))', () => {
    // Daily cycle off; τ_c = 600 s, σ = 5 %RH, 2000 correlation times sampled every 30 s.
    const net = network({ humidityDailyAmplitudePct: 0, humiditySlowSigmaPct: 5, humidityCorrelationS: 600 });
    const humidity = read(net.humidity, 1 / 30, 100, 2000 * 600);
    expect(mean(humidity)).toBeCloseTo(50, 0);
    expect(std(humidity)).toBeGreaterThan(4.5);
    expect(std(humidity)).toBeLessThan(5.5);
    expect(autocorrelation(humidity, 20)).toBeCloseTo(Math.exp(-1), 1);
    expect(autocorrelation(humidity, 40)).toBeCloseTo(Math.exp(-2), 1);
  });

  it('is deterministic under a seed and changes with it', () => {
    const config = ThermalSchema.parse({});
    const humidity = (seed: string) =>
      read(new ThermalNetwork(config, constantDrivers(), { rng: createRng(seed) }).humidity, PER_MINUTE, 60, DAY_S);
    const first = humidity('site-a');
    expect(humidity('site-a')).toEqual(first);
    const other = humidity('site-b');
    expect(other).not.toEqual(first);
    expect(Math.max(...other.map((v, i) => Math.abs(v - first[i]!)))).toBeGreaterThan(1);
  });
});
