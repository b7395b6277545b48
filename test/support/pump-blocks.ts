import { fileURLToPath } from 'node:url';
import { encodeMessage, topics, type TelemetryV1 } from '../../protocol';
import { RandomStreams } from '../../sim';
import { createMachines, FaultSchema, MachineSchema } from '../../twins';

export const PUMP_SITE = 'golden';

/** The default vibration pipeline's feature records of `pumpAccelBlocks(10)`, as committed (see features-golden.test.ts). */
export const GOLDEN_PUMP_FEATURES = fileURLToPath(new URL('../fixtures/features/pump-accel-default.json', import.meta.url));
const START = '2026-01-01T00:00:00Z';

/**
 * A fixed input for the edge DSP: `seconds` of the accelerometer of two pumps (seed 1), pump-1 healthy and pump-2
 * with an outer-race bearing fault from the start, as CBOR telemetry blocks in the order a fleet publishes them.
 */
export async function pumpAccelBlocks(seconds: number): Promise<{ topic: string; payload: Buffer }[]> {
  const machines = await createMachines(
    {
      twins: [MachineSchema.parse({ template: 'pump', id: 'pump-1' }), MachineSchema.parse({ template: 'pump', id: 'pump-2' })],
      faults: [FaultSchema.parse({ type: 'bearing', device: 'pump-2', component: 'outer', atS: 0, severity: 0.8 })],
      startTime: START,
    },
    new RandomStreams(1),
  );
  const channels = machines.map((m) => ({ id: m.id, accel: m.channels.find((c) => c.sensor === 'accel')! }));
  const blocks: { topic: string; payload: Buffer }[] = [];
  const startMs = Date.parse(START);
  for (let seq = 0; ; seq++) {
    const tS = (seq * channels[0]!.accel.blockSamples) / channels[0]!.accel.rateHz;
    if (tS >= seconds) break;
    for (const { id, accel } of channels) {
      const block = accel.next(tS);
      const message: TelemetryV1 = { type: 'telemetry', v: 1, device: id, sensor: 'accel', seq, tsMs: startMs + tS * 1000, rateHz: accel.rateHz, unit: accel.unit, values: block.values.slice() };
      blocks.push({ topic: topics.telemetry(PUMP_SITE, id, 'accel'), payload: Buffer.from(encodeMessage(message, 'cbor')) });
    }
  }
  return blocks;
}
