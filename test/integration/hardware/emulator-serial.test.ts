import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HardwareBindingSchema, lineDeviceFor } from '../../../scenarios/hardware';
import { deviceContract } from './device-contract';
import { emulator, ptyPair } from './support';

// The emulator as firmware on a serial line: `twinbed emulate` on one end of a socat pty pair, twinbed on the other.
deviceContract('the emulator on a socat pty pair', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-hw-'));
  const pty = await ptyPair(dir);
  const driftPpm = 20_000;
  const proc = await emulator(['--serial', pty.device, '--baud', '115200', '--device', 'fan-1', '--template', 'fan', '--drift-ppm', String(driftPpm), '--seed', '3']);
  const binding = HardwareBindingSchema.parse({
    device: 'fan-1',
    serial: { path: pty.host, baudRate: 115_200, reopenMs: 0 },
    sensors: { accel: { unit: 'g', rateHz: 100 }, 'winding-temp': { unit: 'degC', rateHz: 1 } },
  });
  return {
    device: lineDeviceFor(binding, 'mqtt://unused'),
    id: 'fan-1',
    rates: { accel: 100, 'winding-temp': 1 },
    vibration: 'accel',
    driftPpm,
    cut: async () => {
      await pty.close();
      // The device side saw its port close too: the emulator stops cleanly, as firmware whose cable was pulled.
      expect(await proc.exited).toBe(0);
      expect(proc.stdout()).toMatch(/stopped \(port closed/);
    },
    dispose: async () => {
      await pty.close();
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
