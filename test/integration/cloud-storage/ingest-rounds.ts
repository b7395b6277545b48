// The batches the SIGKILL test's child ingests, round by round, and how the parent finds what each left stored.
import type { IngestBatch, Storage } from '../../../cloud/index';

/** 2026-01-01T00:00:00Z. */
const T0 = Date.UTC(2026, 0, 1);
const WINDOWS = 50;
const RAW = 5;

const key = (round: number, i: number) => ({ device: 'pump-1', sensor: 'accel', seq: round * WINDOWS + i });

/** Round `round`: 50 windows (and a copy of the first), 5 raw blocks, a dead letter, an event, an alert lifecycle and an audit entry. */
export function roundBatch(round: number): IngestBatch {
  const tsMs = T0 + round * 1000;
  const features = Array.from({ length: WINDOWS }, (_, i) => ({ ...key(round, i), tsMs: tsMs + i, windowMs: 40, unit: 'g', features: { rms: round + i / 100, peak: 1 }, receivedMs: tsMs }));
  return {
    features: [...features, { ...features[0]!, features: { rms: -1 } }],
    raw: Array.from({ length: RAW }, (_, i) => ({ ...key(round, i), tsMs: tsMs + i, rateHz: 25_600, unit: 'g', samples: 1, encoding: 'f32' as const, data: new Uint8Array([round % 256, i, 0, 0]), receivedMs: tsMs })),
    deadLetters: [{ stage: 'gateway', topic: `round/${round}`, reason: 'not CBOR', tsMs, payloadB64: 'AAE=' }],
    events: [{ device: `pump-${round}`, rule: 'rms above 0.2', state: 'raised', severity: 'warning', tsMs, value: 0.3, threshold: 0.2, message: `round ${round}` }],
    alerts: [
      {
        id: `round-${round}`,
        rule: 'rms above 0.2',
        device: 'pump-1',
        kind: 'alert',
        origin: 'cloud',
        severity: 'warning',
        state: 'raised',
        raisedMs: tsMs,
        updatedMs: tsMs,
        value: 0.3,
        threshold: 0.2,
        message: `round ${round}`,
        history: [{ state: 'raised', tsMs, by: 'rule:rms' }],
      },
    ],
    audit: [{ tsMs, actor: 'rule:rms', target: `gw-${round}`, action: 'set-rate', reason: `round ${round}`, outcome: 'sent' }],
  };
}

/** How many of round `round`'s records of each kind are stored: all of them, or none, never a part. */
export async function storedOf(storage: Storage, round: number): Promise<number[]> {
  const windows = await storage.featuresExist(Array.from({ length: WINDOWS }, (_, i) => key(round, i)));
  const raw = await storage.rawExist(Array.from({ length: RAW }, (_, i) => key(round, i)));
  return [
    windows.filter(Boolean).length,
    raw.filter(Boolean).length,
    (await storage.deadLettersPage({ topic: `round/${round}` })).items.length,
    (await storage.alertsPage({ device: `pump-${round}` })).items.length,
    (await storage.alertEntry(`round-${round}`)) === undefined ? 0 : 1,
    (await storage.auditLog({ target: `gw-${round}` })).items.length,
  ];
}

export const ALL_OF_A_ROUND = [WINDOWS, RAW, 1, 1, 1, 1];
export const NONE_OF_A_ROUND = [0, 0, 0, 0, 0, 0];
