import { describe, expect, it } from 'vitest';
import { emulatedMachine } from '../../../../scenarios/hardware/emulated-machine';
import { Firmware } from '../../../../scenarios/hardware/firmware';

const firmware = async (driftPpm = 0, seed = 1) => new Firmware({ machine: await emulatedMachine({ device: 'pump-1', seed, driftPpm, maxRateHz: 100 }), driftPpm, bootWallMs: 1000 });

describe('the emulated firmware', () => {
  it('samples on its own clock: a line per instant, sensors sampled together share it, same values however often it is polled', async () => {
    const once = (await firmware()).poll(3000);
    const often = await firmware();
    const polled = [];
    for (let wall = 1000; wall <= 3000; wall += 7) polled.push(...often.poll(wall));
    polled.push(...often.poll(3000));
    expect(polled).toEqual(once);
    // 2 s of device time: accel at 100 Hz (t = 0 … 2000 ms), temperatures at 1 Hz on the whole seconds.
    expect(once).toHaveLength(201);
    expect(once[100]).toEqual({ t: 1000, seq: 100, values: { accel: expect.any(Number), 'winding-temp': expect.any(Number), 'bearing-temp': expect.any(Number) } });
    expect(Object.keys(once[101]!.values)).toEqual(['accel']);
  });

  it('runs its clock fast by its drift: 2 % ahead after 10 s of true time', async () => {
    const fw = await firmware(20_000);
    expect(fw.deviceMs(11_000)).toBeCloseTo(10_200, 6);
    expect(fw.poll(11_000).at(-1)!.t).toBe(10_200);
  });

  it('obeys what its machine supports and refuses the rest', async () => {
    const fw = await firmware();
    expect(fw.command({ id: 'a', action: 'slow-down', args: { speedRpm: 500, rampS: 1 }, json: true }, 2000)).toEqual({ type: 'ack', id: 'a', action: 'slow-down', outcome: 'slowing to 500 rpm over 1 s' });
    expect(fw.command({ action: 'jump', args: {}, json: false }, 2000)).toEqual({ type: 'nak', action: 'jump', error: 'pump does not support "jump"' });
    expect(fw.command({ action: 'hello', args: {}, json: false }, 2000)).toMatchObject({ type: 'ack', outcome: 'hello sent' });
    expect(fw.hello()).toMatchObject({ device: 'pump-1', template: 'pump', firmware: 'twinbed-emulate/1', sensors: [{ sensor: 'accel', unit: 'g', rateHz: 100 }, { sensor: 'winding-temp', unit: 'degC', rateHz: 1 }, { sensor: 'bearing-temp', unit: 'degC', rateHz: 1 }] });
  });

  it('takes its twin from a scenario, faults included, and refuses a device the scenario does not have', async () => {
    const scenario = { twins: [{ template: 'fan' as const, id: 'fan-1' }], faults: [], startTime: '2026-01-01T00:00:00Z' };
    const { MachineSchema } = await import('../../../../twins');
    const parsed = { ...scenario, twins: scenario.twins.map((t) => MachineSchema.parse(t)) };
    expect((await emulatedMachine({ device: 'fan-1', scenario: parsed, seed: 1, driftPpm: 0, maxRateHz: 50 })).channels.map((c) => [c.sensor, c.rateHz])).toEqual([
      ['accel', 50],
      ['winding-temp', 1],
      ['bearing-temp', 1],
    ]);
    await expect(emulatedMachine({ device: 'pump-9', scenario: parsed, seed: 1, driftPpm: 0, maxRateHz: 50 })).rejects.toThrow(/no twin "pump-9" \(twins: fan-1\)/);
  });
});
