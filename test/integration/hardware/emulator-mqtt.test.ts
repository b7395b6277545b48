import { HardwareBindingSchema, lineDeviceFor } from '../../../scenarios/hardware';
import { startBroker } from '../../../sim';
import { deviceContract } from './device-contract';
import { emulator } from './support';

// The emulator as firmware on a broker: lines on twinbed-hw/{device}/data, commands on …/cmd, status and will on …/status.
deviceContract('the emulator over MQTT', async () => {
  const broker = await startBroker();
  const driftPpm = -15_000;
  const proc = await emulator(['--mqtt', broker.url, '--device', 'pump-2', '--template', 'pump', '--drift-ppm', String(driftPpm), '--seed', '5', '--format', 'csv']);
  const binding = HardwareBindingSchema.parse({
    device: 'pump-2',
    mqtt: { url: broker.url },
    format: 'csv',
    columns: ['t', 'seq', 'accel', 'winding-temp', 'bearing-temp'],
    sensors: { accel: { unit: 'g', rateHz: 100 }, 'bearing-temp': { unit: 'degC', rateHz: 1 } },
  });
  return {
    device: lineDeviceFor(binding, broker.url),
    id: 'pump-2',
    rates: { accel: 100, 'bearing-temp': 1 },
    vibration: 'accel',
    driftPpm,
    // A crash, not a goodbye: the broker publishes the device's will, and that is how twinbed learns it went.
    cut: async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
    dispose: async () => {
      await proc.stop();
      await broker.close();
    },
  };
});
