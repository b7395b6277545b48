// Hand-built run evidence for expectation and threshold tests: smoke.yaml in miniature.
import type { AlertRecord, SequenceSummary } from '../../../../cloud/index';
import { ExpectationSchema, ScenarioSchema, evaluate, type RunEvidence, type ScenarioInput } from '../../../../scenarios/index';
import type { DeviceStats } from '../../../../twins/index';

export const START_MS = Date.UTC(2026, 0, 1);

/** pump-1's unbalance begins at 240 s (30 s ramp); pump-2 is healthy; one RMS rule at 0.2 g; 600 s. */
export const BASE: ScenarioInput = {
  name: 'unit',
  durationS: 600,
  twins: [
    { template: 'pump', id: 'pump-1' },
    { template: 'pump', id: 'pump-2' },
  ],
  faults: [{ type: 'imbalance', device: 'pump-1', atS: 240, rampS: 30, unbalanceGmm: 20_000 }],
  rules: [{ metric: 'rms', sensor: 'accel', above: 0.2 }],
};

export const scenario = ScenarioSchema.parse(BASE);

/** An alert state change `atS` seconds into the run. */
export function alertAt(atS: number, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    device: 'pump-1',
    sensor: 'accel',
    rule: 'rms above 0.2',
    state: 'raised',
    severity: 'warning',
    tsMs: START_MS + atS * 1000,
    value: 0.31,
    threshold: 0.2,
    message: 'pump-1/accel rms 0.31 g exceeds 0.2',
    ...overrides,
  };
}

export const stats = (device: string, sent: number, acked = sent, sensor = 'accel', qos: 0 | 1 = 1): DeviceStats => ({
  device,
  sensor,
  qos,
  sent,
  acked,
  failed: sent - acked,
  dropped: 0,
  bytes: sent * 100,
});

export const stored = (device: string, count: number, minSeq = 0, maxSeq = count - 1, sensor = 'accel'): SequenceSummary => ({ device, sensor, count, minSeq, maxSeq });

export function evidence(overrides: Partial<RunEvidence> = {}): RunEvidence {
  return {
    scenario,
    startMs: START_MS,
    alerts: [],
    published: [stats('pump-1', 15_000), stats('pump-2', 15_000)],
    stored: [stored('pump-1', 15_000), stored('pump-2', 15_000)],
    duplicatesDropped: 0,
    // Temperatures are far above the accel rule's 0.2: a peak quoted for it must be the accel one.
    peaks: new Map([
      ['pump-1/accel', { rms: 0.1234, peak: 0.2 }],
      ['pump-1/winding-temp', { rms: 61.2, peak: 61.5 }],
      ['pump-2/accel', { rms: 0.0837, peak: 0.12 }],
      ['pump-2/bearing-temp', { rms: 44.1, peak: 44.3 }],
    ]),
    commands: [],
    replies: [],
    rollouts: new Map(),
    ...overrides,
  };
}

/** The evidence of a scenario built from BASE with these fields changed. */
export function evidenceFor(changes: Partial<ScenarioInput>, overrides: Partial<RunEvidence> = {}): RunEvidence {
  return evidence({ scenario: ScenarioSchema.parse({ ...BASE, ...changes }), ...overrides });
}

export const judge = (expectation: unknown, runEvidence: RunEvidence) => evaluate(ExpectationSchema.parse(expectation), runEvidence);
