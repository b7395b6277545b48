import { z } from 'zod';
import { IdSchema } from '../../protocol';
import { FaultTimingShape, timingProblem, type FaultTiming } from '../severity';

// Sensor faults act on the reported values, after quantization (see sensor-model-config.ts for the whole chain).
// Faults with a size (drift, bias-jump, spikes, noise-burst, calibration, timestamp-skew) carry the full timing
// shape, and severity(t) from severityAt scales that size; on/off faults (stuck, dropout, clipping) carry atS and forS.

const target = {
  device: IdSchema.describe('Device whose sensor fails, a topic level.'),
  sensor: IdSchema.describe('Sensor that fails, a topic level such as `accel`.'),
};

const window = { id: FaultTimingShape.id, atS: FaultTimingShape.atS, forS: FaultTimingShape.forS };

function checkTiming(timing: FaultTiming, ctx: z.RefinementCtx): void {
  const problem = timingProblem(timing);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
}

export const StuckFaultSchema = z
  .object({ type: z.literal('stuck'), ...target, ...window })
  .strict()
  .describe('The output freezes at the last reported value before atS, until forS ends.');

export const DriftFaultSchema = z
  .object({
    type: z.literal('drift'),
    ...target,
    ...FaultTimingShape,
    ratePerS: z.number().describe('Drift rate at full severity, output units per second: the output gains severity(t)·ratePerS·(t − atS).'),
  })
  .strict()
  .superRefine(checkTiming)
  .describe('A slow offset growth (ageing, thermal drift of the electronics).');

export const BiasJumpFaultSchema = z
  .object({
    type: z.literal('bias-jump'),
    ...target,
    ...FaultTimingShape,
    offset: z.number().describe('Offset at full severity, output units: the output gains severity(t)·offset.'),
  })
  .strict()
  .superRefine(checkTiming)
  .describe('A sudden offset (a shock to a MEMS proof mass, a shifted reference).');

export const SpikesFaultSchema = z
  .object({
    type: z.literal('spikes'),
    ...target,
    ...FaultTimingShape,
    ratePerS: z.number().positive().describe('Poisson rate of spikes at full severity, per second; the rate follows severity(t).'),
    amplitude: z.number().positive().describe('Spike height, output units, added to one sample with a random sign.'),
  })
  .strict()
  .superRefine(checkTiming)
  .describe('Isolated one-sample spikes at Poisson times (EMI, a loose connector).');

export const DropoutFaultSchema = z
  .object({ type: z.literal('dropout'), ...target, ...window })
  .strict()
  .describe('Blocks with any sample instant in [atS, atS + forS) are not delivered (ChannelBlock.dropped).');

export const ClippingFaultSchema = z
  .object({
    type: z.literal('clipping'),
    ...target,
    ...window,
    level: z.number().positive().describe('Clamp level, ± output units.'),
  })
  .strict()
  .describe('The output is clamped to ±level (a sagging amplifier rail).');

export const NoiseBurstFaultSchema = z
  .object({
    type: z.literal('noise-burst'),
    ...target,
    ...FaultTimingShape,
    noiseRms: z.number().positive().describe('Extra white noise at full severity, RMS in output units; scaled by severity(t).'),
  })
  .strict()
  .superRefine(checkTiming)
  .describe('Extra white noise (a failing shield or ground loop).');

export const CalibrationFaultSchema = z
  .object({
    type: z.literal('calibration'),
    ...target,
    ...FaultTimingShape,
    gainError: z.number().gt(-1).describe('Gain error at full severity, fraction: the output is multiplied by 1 + severity(t)·gainError.'),
  })
  .strict()
  .superRefine(checkTiming)
  .describe('A wrong gain in the sensor’s calibration (a bad coefficient after service).');

export const TimestampSkewFaultSchema = z
  .object({
    type: z.literal('timestamp-skew'),
    ...target,
    ...FaultTimingShape,
    offsetMs: z.number().describe('Timestamp offset at full severity, ms, added to ChannelBlock.tsOffsetMs of every block with a sample in the window.'),
    driftPpm: z
      .number()
      .optional()
      .describe('Further offset growing with time since onset, ppm: adds driftPpm·1e-6·(t − atS) s, t the block’s first sample in the window. Default: none.'),
  })
  .strict()
  .superRefine(checkTiming)
  .describe('The sensor stamps its blocks wrongly (a clock step or a drifting RTC).');

/** A fault of one sensor on one device, as a scenario's timeline lists it. */
export const SensorFaultSchema = z.discriminatedUnion('type', [
  StuckFaultSchema,
  DriftFaultSchema,
  BiasJumpFaultSchema,
  SpikesFaultSchema,
  DropoutFaultSchema,
  ClippingFaultSchema,
  NoiseBurstFaultSchema,
  CalibrationFaultSchema,
  TimestampSkewFaultSchema,
]);

export type SensorFaultInput = z.input<typeof SensorFaultSchema>;
export type SensorFaultConfig = z.output<typeof SensorFaultSchema>;
export type SensorFaultType = SensorFaultConfig['type'];
