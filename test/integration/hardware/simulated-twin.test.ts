import { emulatedMachine, TwinDevice } from '../../../scenarios/hardware';
import { deviceContract } from './device-contract';

// The reference: the twin the emulator runs, behind the hardware interface in this process, with no line between.
deviceContract('a simulated twin, in process', async () => {
  const driftPpm = 20_000;
  const machine = await emulatedMachine({ device: 'pump-1', template: 'pump', seed: 7, driftPpm, maxRateHz: 100 });
  const device = new TwinDevice({ machine, driftPpm });
  return {
    device,
    id: 'pump-1',
    rates: { accel: 100, 'winding-temp': 1, 'bearing-temp': 1 },
    vibration: 'accel',
    driftPpm,
    cut: async () => device.cut(),
    dispose: async () => {
      await device.close();
      machine.dispose?.();
    },
  };
});
