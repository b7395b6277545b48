import { describe, expect, it } from 'vitest';
import { EnergyIntegrator } from '../../../protocol/index';
import { RandomStreams } from '../../../sim/index';
import {
  createMachines,
  electricalPowerW,
  ElectricalError,
  FaultSchema,
  MachineSchema,
  MotorPowerMeasurand,
  MotorPowerModel,
  OperatingProfile,
  ratedTorqueNm,
  type Channel,
  type Machine,
} from '../../../twins/index';

const START = '2026-01-01T00:00:00Z';
const RAD_S_PER_RPM = (2 * Math.PI) / 60;

// The pump's default motor: 15 kW, 1480 rpm, IE3 92.1 %, efficiency peaking at 75 % load.
const PUMP = { ratedPowerW: 15_000, ratedSpeedRpm: 1480, ratedEfficiency: 0.921, peakEfficiencyLoad: 0.75 };
// Losses at rated: P_0 + P_cu = P_r·(1/η_r − 1), with P_0 = P_cu·l*² (equal at the efficiency peak).
const PUMP_LOSS_W = 15_000 * (1 / 0.921 - 1);
const PUMP_LOAD_LOSS_W = PUMP_LOSS_W / (1 + 0.75 ** 2);
const PUMP_CONSTANT_LOSS_W = PUMP_LOAD_LOSS_W * 0.75 ** 2;
/** P_in = (ω/ω_r)·(l·P_r + P_0 + P_cu·l²) for the pump's motor, W. */
const pumpInputW = (rpm: number, load: number) => (rpm / 1480) * (load * 15_000 + PUMP_CONSTANT_LOSS_W + PUMP_LOAD_LOSS_W * load * load);
/** Noise σ of the pump's power meter at 1 Hz: 0.1 % of 15 kW per √Hz, σ = N·√(fs/2), kW. */
const PUMP_SIGMA_KW = 0.015 * Math.sqrt(0.5);

const relative = (actual: number, expected: number) => Math.abs(actual / expected - 1);
const mean = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0) / x.length;
const std = (x: ArrayLike<number>) => {
  const m = mean(x);
  return Math.sqrt(Array.from(x).reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
};

async function machine(config: Record<string, unknown>, faults: Record<string, unknown>[] = [], seed = 1): Promise<Machine> {
  const twin = MachineSchema.parse(config);
  const [built] = await createMachines({ twins: [twin], faults: faults.map((f) => FaultSchema.parse({ device: twin.id, ...f })), startTime: START }, new RandomStreams(seed));
  return built!;
}

const metered = (config: Record<string, unknown> = {}, power: Record<string, unknown> = {}) => ({
  template: 'pump',
  id: 'pump-1',
  ...config,
  sensors: { power: { enabled: true, ...power } },
});
/** A power meter without noise: its readings are the model's, in float32. */
const noiseless = { model: { noiseDensity: 0 } };

function channel(m: Machine, sensor: string): Channel {
  const found = m.channels.find((c) => c.sensor === sensor);
  if (!found) throw new Error(`${m.id} has no ${sensor} channel`);
  return found;
}

/** `seconds` of a 1 Hz channel from 0, block by block as the fleet reads it; `before(k)` runs before block k. */
function read(c: Channel, seconds: number, before: (startS: number) => void = () => {}): Float64Array {
  const blockS = c.blockSamples / c.rateHz;
  const out = new Float64Array(Math.round(seconds * c.rateHz));
  for (let k = 0; k * blockS < seconds; k++) {
    before(k * blockS);
    out.set(c.next(k * blockS).values, k * c.blockSamples);
  }
  return out;
}

describe('motor power model', () => {
  const model = new MotorPowerModel(PUMP);
  const torqueRated = 15_000 / (1480 * RAD_S_PER_RPM);

  it('draws P = T·ω/η to 1e-9 over speed and load, η from the constant-loss part-load curve', () => {
    expect(relative(ratedTorqueNm(15_000, 1480), torqueRated)).toBeLessThan(1e-12);
    expect(model.ratedTorqueNm).toBeCloseTo(96.7834, 4);
    for (const rpm of [1480, 1110, 250, 2960]) {
      for (const load of [0.1, 0.5, 0.8, 1, 1.5]) {
        const torque = load * torqueRated;
        const omega = rpm * RAD_S_PER_RPM;
        const efficiency = (load * 15_000) / (load * 15_000 + PUMP_CONSTANT_LOSS_W + PUMP_LOAD_LOSS_W * load * load);
        expect(relative(model.efficiencyAt(load), efficiency)).toBeLessThan(1e-12);
        expect(relative(electricalPowerW(torque, omega, efficiency), (torque * omega) / efficiency)).toBeLessThan(1e-12);
        expect(relative(model.inputPowerW(rpm, model.shaftTorqueNm(load)), (torque * omega) / efficiency)).toBeLessThan(1e-9);
      }
    }
  });

  it('meets its nameplate: η(1) = 92.1 %, P_in = P_r/η_r = 16286.6 W at rated, and η peaks at 75 % load', () => {
    expect(model.efficiencyAt(1)).toBeCloseTo(0.921, 12);
    expect(model.inputPowerW(1480, torqueRated)).toBeCloseTo(16_286.645, 3);
    expect(model.constantLossW + model.loadLossW).toBeCloseTo(1286.645, 3);
    expect(model.constantLossW).toBeCloseTo(463.192, 3);
    expect(model.efficiencyAt(0.75)).toBeCloseTo(0.92392, 5);
    expect(model.efficiencyAt(0.75)).toBeGreaterThan(model.efficiencyAt(0.7));
    expect(model.efficiencyAt(0.75)).toBeGreaterThan(model.efficiencyAt(0.8));
  });

  it('draws 0 W stopped at any load, and the constant losses scaled by speed when idling at no load', () => {
    for (const load of [0, 0.8, 1.5]) expect(model.inputPowerW(0, model.shaftTorqueNm(load))).toBe(0);
    expect(model.inputPowerW(1480, 0)).toBeCloseTo(PUMP_CONSTANT_LOSS_W, 9);
    expect(model.inputPowerW(740, 0)).toBeCloseTo(PUMP_CONSTANT_LOSS_W / 2, 9);
  });

  it('refuses a rating it cannot use and a driver value that is not a finite number ≥ 0, with typed errors', () => {
    expect(() => new MotorPowerModel({ ...PUMP, ratedEfficiency: 1 })).toThrow(expect.objectContaining({ code: 'E_ELECTRICAL_RATING' }));
    expect(() => new MotorPowerModel({ ...PUMP, ratedSpeedRpm: 0 })).toThrow(ElectricalError);
    const bad = new MotorPowerMeasurand(model, { speedRpm: () => Number.NaN, load: () => 0.8 });
    expect(() => bad.powerW(3)).toThrow(expect.objectContaining({ code: 'E_ELECTRICAL_DRIVER', message: expect.stringContaining('speedRpm(3) returned NaN') }));
  });
});

describe('energy integrator (trapezoid rule over event time)', () => {
  it('meters constant power for an hour as P/1000 kWh', () => {
    const meter = new EnergyIntegrator();
    // 15 000 W in 10-sample 1 Hz blocks, t = 0 … 3600 s.
    for (let k = 0; k < 360; k++) meter.addBlock(k * 10, 1, new Float64Array(10).fill(15));
    meter.add(3600, 15);
    expect(relative(meter.kWh, 15_000 / 1000)).toBeLessThan(1e-9);
    expect(meter.lastS).toBe(3600);
  });

  it('meters a linear ramp exactly, on even and uneven sample times: 0 → 20 kW over an hour is 10 kWh', () => {
    const even = new EnergyIntegrator();
    for (let t = 0; t <= 3600; t++) even.add(t, (20 * t) / 3600);
    expect(relative(even.kWh, 10)).toBeLessThan(1e-9);
    const uneven = new EnergyIntegrator();
    for (const t of [0, 0.5, 7, 7, 100.25, 1999, 2000.125, 3599.9, 3600]) uneven.add(t, (20 * t) / 3600);
    expect(relative(uneven.kWh, 10)).toBeLessThan(1e-9);
  });

  it('meters a pump run up from standstill over 600 s and held to 1800 s: E = P_full·(600/2 + 1200)/3600 kWh', () => {
    const profile = new OperatingProfile({ speedRpm: 0, load: 0.8 }, [{ atS: 600, speedRpm: 1480 }]);
    const power = new MotorPowerMeasurand(new MotorPowerModel(PUMP), { speedRpm: (t) => profile.speedRpmAt(t), load: (t) => profile.loadAt(t) });
    const meter = new EnergyIntegrator();
    const block = new Float64Array(10);
    for (let k = 0; k < 180; k++) {
      power.fill(block, k * 10, 1);
      meter.addBlock(k * 10, 1, block);
    }
    meter.add(1800, power.powerW(1800) / 1000);
    // At constant load P ∝ ω, so power ramps linearly with speed and the trapezoid rule is exact.
    const fullKw = pumpInputW(1480, 0.8) / 1000;
    expect(relative(meter.kWh, (fullKw * (300 + 1200)) / 3600)).toBeLessThan(1e-9);
  });

  it('refuses a sample earlier than the last one, or not finite, with a typed error', () => {
    const meter = new EnergyIntegrator();
    meter.add(10, 1);
    expect(() => meter.add(9, 1)).toThrow(expect.objectContaining({ code: 'E_ENERGY_SAMPLE', message: expect.stringMatching(/before the previous one/) }));
    expect(() => meter.add(11, Number.NaN)).toThrow(expect.objectContaining({ code: 'E_ENERGY_SAMPLE', message: expect.stringMatching(/not finite/) }));
    expect(meter.kWh).toBe(0);
  });
});

describe('power sensor on the machine twins', () => {
  it('is absent unless enabled, on the pump, the fan and the conveyor', async () => {
    expect((await machine({ template: 'pump', id: 'pump-1' })).channels.map((c) => c.sensor)).toEqual(['accel', 'winding-temp', 'bearing-temp']);
    expect((await machine({ template: 'fan', id: 'fan-1' })).channels.map((c) => c.sensor)).not.toContain('power');
    const belt = await machine({ template: 'conveyor', id: 'conveyor-1' });
    expect(belt.channels.map((c) => c.sensor)).not.toContain('power');
    belt.dispose?.();
  });

  it('when enabled, reports kW at 1 Hz in 10-sample blocks, after the other sensors', async () => {
    const pump = await machine(metered());
    expect(pump.channels.map((c) => [c.sensor, c.unit, c.rateHz, c.blockSamples])).toEqual([
      ['accel', 'g', 25_600, 1024],
      ['winding-temp', 'degC', 1, 10],
      ['bearing-temp', 'degC', 1, 10],
      ['power', 'kW', 1, 10],
    ]);
  });

  it('enabling it leaves every other sensor byte-identical (its noise has its own named streams)', async () => {
    const first = (m: Machine) => m.channels.filter((c) => c.sensor !== 'power').map((c) => Buffer.from(c.next(0).values.buffer));
    const [plain, withPower] = [first(await machine({ template: 'pump', id: 'pump-1' })), first(await machine(metered()))];
    expect(withPower).toHaveLength(3);
    withPower.forEach((buffer, i) => expect(buffer.equals(plain[i]!)).toBe(true));
  });

  it('reads the model at steady state within the meter noise: 12.9902 kW for the pump at 1480 rpm and load 0.8', async () => {
    const values = read(channel(await machine(metered()), 'power'), 600);
    const expectedKw = pumpInputW(1480, 0.8) / 1000;
    expect(expectedKw).toBeCloseTo(12.990202, 6);
    expect(Math.abs(mean(values) - expectedKw)).toBeLessThan((4 * PUMP_SIGMA_KW) / Math.sqrt(values.length));
    expect(relative(std(values), PUMP_SIGMA_KW)).toBeLessThan(0.15);
  });

  it('scales with each template’s motor: the fan draws 7.5 kW·0.8/η(0.8) at 990 rpm', async () => {
    const values = read(channel(await machine(metered({ template: 'fan', id: 'fan-1' }, noiseless)), 'power'), 20);
    const fan = new MotorPowerModel({ ratedPowerW: 7500, ratedSpeedRpm: 990, ratedEfficiency: 0.891, peakEfficiencyLoad: 0.75 });
    const expectedKw = (0.8 * 7500) / fan.efficiencyAt(0.8) / 1000;
    for (const v of values) expect(relative(v, expectedKw)).toBeLessThan(1e-6);
  });

  it('reads ~0 once the machine has stopped (`stop` command), and half the power after `slow-down` to half speed', async () => {
    const command = (action: string, args: Record<string, unknown>) => ({ type: 'cmd' as const, v: 1 as const, device: 'pump-1', tsMs: 0, id: 'c1', action, args });
    const stopped = await machine(metered());
    const stopValues = read(channel(stopped, 'power'), 300, (startS) => {
      if (startS === 100) stopped.command!(command('stop', { rampS: 5 }), 100);
    });
    const after = stopValues.subarray(110);
    expect(Math.abs(mean(after))).toBeLessThan((4 * PUMP_SIGMA_KW) / Math.sqrt(after.length));
    expect(Math.max(...Array.from(after, Math.abs))).toBeLessThan(5 * PUMP_SIGMA_KW);
    expect(mean(stopValues.subarray(0, 100))).toBeCloseTo(12.99, 1);

    const slowed = await machine(metered({}, noiseless));
    const slowValues = read(channel(slowed, 'power'), 200, (startS) => {
      if (startS === 100) slowed.command!(command('slow-down', { speedRpm: 740, rampS: 10 }), 100);
    });
    // Load stays 0.8, so T is unchanged and P = T·ω/η halves with ω; mid-ramp it is linear in between.
    expect(relative(slowValues[50]!, pumpInputW(1480, 0.8) / 1000)).toBeLessThan(1e-6);
    expect(relative(slowValues[105]!, pumpInputW(1110, 0.8) / 1000)).toBeLessThan(1e-6);
    expect(relative(slowValues[150]!, pumpInputW(740, 0.8) / 1000)).toBeLessThan(1e-6);
  });

  it('follows the load profile: P(load) = (l·P_r + P_0 + P_cu·l²)/1000 kW at each point', async () => {
    const values = read(channel(await machine(metered({ load: 0.4, profile: [{ atS: 100, load: 1.2 }] }, noiseless)), 'power'), 200);
    expect(relative(values[0]!, pumpInputW(1480, 0.4) / 1000)).toBeLessThan(1e-6);
    expect(relative(values[50]!, pumpInputW(1480, 0.8) / 1000)).toBeLessThan(1e-6);
    expect(relative(values[150]!, pumpInputW(1480, 1.2) / 1000)).toBeLessThan(1e-6);
  });

  it('adds the extra bearing friction of a lubrication fault as torque: ΔT = 4·50 W/ω_r at full severity', async () => {
    const values = read(channel(await machine(metered({}, noiseless), [{ type: 'lubrication', atS: 0 }]), 'power'), 20);
    const model = new MotorPowerModel(PUMP);
    const torque = 0.8 * model.ratedTorqueNm + (4 * 50) / (1480 * RAD_S_PER_RPM);
    const expectedKw = model.inputPowerW(1480, torque) / 1000;
    for (const v of values) expect(relative(v, expectedKw)).toBeLessThan(1e-6);
    // 200 W more at the shaft; 217.7 W more at the meter, the load losses growing with (l + ΔT/T_r)².
    expect((expectedKw - pumpInputW(1480, 0.8) / 1000) * 1000).toBeCloseTo(217.71, 2);
  });

  it('on the conveyor, follows the commanded belt speed: 2.2 kW motor at load 0.5, half the speed half the power', async () => {
    const belt = await machine({
      template: 'conveyor',
      id: 'conveyor-1',
      speedMS: 1,
      speedProfile: [
        { atS: 100, speedMS: 1 },
        { atS: 110, speedMS: 0.5 },
        { atS: 190, speedMS: 0.5 },
        { atS: 200, speedMS: 0 },
      ],
      sensors: { power: { enabled: true, ...noiseless } },
    });
    const values = read(channel(belt, 'power'), 300);
    const motor = new MotorPowerModel({ ratedPowerW: 2200, ratedSpeedRpm: 1440, ratedEfficiency: 0.867, peakEfficiencyLoad: 0.75 });
    const fullKw = (0.5 * 2200) / motor.efficiencyAt(0.5) / 1000;
    expect(relative(values[50]!, fullKw)).toBeLessThan(1e-6);
    expect(relative(values[150]!, fullKw / 2)).toBeLessThan(1e-6);
    expect(values[250]).toBe(0);
    belt.dispose?.();
  });

  it('needs a rated speed when a metered machine starts stopped: the schema names motor.ratedSpeedRpm', () => {
    const parsed = MachineSchema.safeParse(metered({ speedRpm: 0 }));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['motor', 'ratedSpeedRpm']);
    expect(MachineSchema.safeParse({ template: 'pump', id: 'pump-1', speedRpm: 0 }).success).toBe(true);
    expect(MachineSchema.safeParse(metered({ speedRpm: 0, motor: { ratedSpeedRpm: 1480 } })).success).toBe(true);
    const belt = MachineSchema.safeParse({ template: 'conveyor', id: 'c', speedMS: 0, sensors: { power: { enabled: true } } });
    expect(belt.error!.issues[0]!.path).toEqual(['motor', 'ratedBeltSpeedMS']);
  });
});
