import { z } from 'zod';
import { sensorSpec } from '../machines/sensor-spec';
import { W_PER_KW } from '../units';

/**
 * The feeder's power meter, kW: 1 Hz in 10 s blocks like the RTDs, white noise of 0.1 % of rated per √Hz, and no range
 * or ADC (a digital meter reports floats). Off unless a scenario enables it, so existing runs keep their bytes.
 */
export function powerSensorSpec(ratedPowerW: number) {
  return sensorSpec({ rateHz: 1, blockSamples: 10, model: { noiseDensity: (1e-3 * ratedPowerW) / W_PER_KW } })
    .unwrap()
    .extend({ enabled: z.boolean().default(false).describe('Publish this sensor. Default false: enable it to meter the machine’s energy.') })
    .prefault({});
}
