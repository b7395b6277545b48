import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../sim';
import type { ExternalBlock } from '../../../../twins';
import { BoundDevice, formatHardwareLine } from '../../../../scenarios/hardware/bound-device';
import { Listeners, type CommandOutcome, type DeviceCounters, type HardwareDevice, type HardwareDeviceEvents } from '../../../../scenarios/hardware/hardware-device';
import { HardwareBindingSchema, type HardwareBindingInput } from '../../../../scenarios/hardware/hardware-schema';

/** A device driven by the test: it emits what the test says, when the test says. */
class ScriptedDevice implements HardwareDevice {
  readonly device = 'pump-1';
  readonly transport = 'scripted';
  readonly listeners = new Listeners<HardwareDeviceEvents>((error) => {
    throw error;
  });
  status = () => 'online' as const;
  identity = () => undefined;
  counters = (): DeviceCounters => ({ lines: 0, readings: 0, framingErrors: {}, lostLines: 0, restarts: 0, commands: { acknowledged: 0, refused: 0, unanswered: 0, 'not sent': 0 } });
  open = async () => {};
  close = async () => {};
  command = async (): Promise<CommandOutcome> => ({ result: 'acknowledged', outcome: 'done' });
  on<K extends keyof HardwareDeviceEvents>(event: K, listener: HardwareDeviceEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
}

const START_MS = Date.parse('2026-01-01T00:00:00Z');

function bound(binding: Partial<HardwareBindingInput> = {}) {
  let nowMs = START_MS;
  const clock: Clock = { now: () => nowMs, schedule: () => () => {} };
  const device = new ScriptedDevice();
  const b = new BoundDevice({
    binding: HardwareBindingSchema.parse({ device: 'pump-1', serial: { path: '/dev/null' }, sensors: { accel: { unit: 'g', rateHz: 100, blockSamples: 50 } }, ...binding }),
    device,
    clock,
    startMs: START_MS,
  });
  const blocks: ExternalBlock[] = [];
  b.start((block) => {
    blocks.push(block);
    return true;
  });
  /** A line read at wall ms `wallMs` (the run's clock moves with it) with the device's clock at `deviceMs`. */
  const line = (wallMs: number, deviceMs: number | undefined, seq: number, value = 1) => {
    nowMs = START_MS + wallMs;
    device.listeners.emit('reading', { deviceMs, seq, receivedWallMs: wallMs, values: new Map([['accel', value]]) });
  };
  return { b, device, blocks, line, setNow: (wallMs: number) => (nowMs = START_MS + wallMs) };
}

describe('a bound device', () => {
  it('keeps the device\'s clock on the run\'s time: 2 % fast, its drift is estimated and its timestamps run ahead', () => {
    const { b, blocks, line } = bound();
    // Its clock reads 1.02 × true time; each line reaches us 3 ms after it is stamped, plus a burst delay.
    for (let k = 0; k < 1000; k++) {
      const deviceMs = k * 10;
      line(deviceMs / 1.02 + 3 + (k % 10), deviceMs, k);
    }
    expect(blocks).toHaveLength(20);
    // Blocks are a device-clock half second apart: on the run's clock they come faster than that.
    expect(blocks[1]!.tsMs - blocks[0]!.tsMs).toBe(500);
    expect(blocks[19]!.tsMs - blocks[0]!.tsMs).toBe(9500);
    const report = b.report();
    expect(Math.abs(report.clockDriftPpm! - 20_000)).toBeLessThan(500);
    // 10 s of device time is 9.8 s of ours: its last timestamp is ~190 ms ahead of our clock.
    expect(report.clockOffsetMs).toBeGreaterThan(180);
    expect(report.samples).toEqual({ accel: 1000 });
    expect(report.published).toEqual({ accel: 20 });
  });

  it('ends the block being filled at a gap in its counter or clock, and places its clock again after a restart', () => {
    const { blocks, line } = bound();
    for (let k = 0; k < 10; k++) line(k * 10, k * 10, k);
    line(150, 150, 15); // five lines lost
    expect(blocks.map((x) => [x.tsMs - START_MS, x.values.length])).toEqual([[0, 10]]);
    for (let k = 16; k < 20; k++) line(k * 10, k * 10, k);
    line(200, 250, 20); // its clock jumped: a new block
    expect(blocks.map((x) => x.values.length)).toEqual([10, 5]);
    line(5000, 0, 0); // it restarted: counter and clock from 0, placed on the run's time again
    for (let k = 1; k < 50; k++) line(5000 + k * 10, k * 10, k);
    expect(blocks.map((x) => [x.tsMs - START_MS, x.values.length])).toEqual([
      [0, 10],
      [150, 5],
      [250, 1],
      [5000, 50],
    ]);
  });

  it('reports its status changes as run events, and what it sent before going offline goes out', () => {
    const { b, device, blocks, line, setNow } = bound();
    setNow(140);
    device.listeners.emit('status', { status: 'online', reason: 'lines arriving', wallMs: 140 });
    for (let k = 0; k < 7; k++) line(200 + k * 10, k * 10, k);
    setNow(6036);
    device.listeners.emit('status', { status: 'offline', reason: 'port closed', wallMs: 6036 });
    expect(b.report().events).toEqual([
      { atS: 0.14, status: 'online', reason: 'lines arriving' },
      { atS: 6.036, status: 'offline', reason: 'port closed' },
    ]);
    expect(blocks.map((x) => x.values.length)).toEqual([7]);
    expect(formatHardwareLine('pump-1', b.report())).toBe('hardware pump-1 (scripted): offline since 6.0 s (port closed); 0 lines, no framing errors');
  });

  it('stamps readings on arrival for a device without a clock', () => {
    const { blocks, line } = bound({ time: { clock: 'receive' }, sensors: { accel: { unit: 'g', rateHz: 10, blockSamples: 2 } } });
    line(1000, undefined, 0);
    line(1001, undefined, 1); // a burst: the block is stamped by its first sample's arrival
    expect(blocks).toEqual([{ sensor: 'accel', tsMs: START_MS + 1000, values: Float32Array.from([1, 1]) }]);
  });
});
