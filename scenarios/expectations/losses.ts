import type { StoredCount } from '../target';
import type { RunEvidence } from './evidence';

/** Where a reading can go missing: anywhere on its way, or on one link. */
export type LossLeg = 'end-to-end' | 'twins->edge' | 'edge->cloud';

export interface StreamLoss {
  device: string;
  sensor: string;
  /** Readings that entered the leg: published (end-to-end, twins->edge) or acknowledged by the edge (edge->cloud). */
  in: number;
  /** Of those, how many came out: acknowledged by the edge (twins->edge) or held by the system (stored, else passed on). */
  out: number;
  lost: number;
}

/** What the system holds per (device, sensor): its store's counts, else the readings it passed on upstream. */
export function heldCounts(evidence: RunEvidence): readonly StoredCount[] {
  return evidence.stored ?? evidence.delivered ?? [];
}

/** `stored` when a store was counted, else `passed on` (observed upstream). */
export function heldVerb(evidence: RunEvidence): string {
  return evidence.stored !== undefined ? 'stored' : 'passed on';
}

/**
 * Readings of one QoS lost on a leg, per (device, sensor) stream, judged from the twins' own counts (published,
 * acknowledged) and what the system holds (stored, or passed on upstream): a gateway that drops what it acknowledged
 * loses them on edge->cloud whether its uplink or its own queue lost them.
 */
export function streamLosses(evidence: RunEvidence, leg: LossLeg, qos: 0 | 1, filter: { device?: string; sensor?: string } = {}): StreamLoss[] {
  const held = heldCounts(evidence);
  return evidence.published
    .filter((d) => d.qos === qos && (filter.device === undefined || d.device === filter.device) && (filter.sensor === undefined || d.sensor === filter.sensor))
    .map((d) => {
      const count = held.find((h) => h.device === d.device && h.sensor === d.sensor)?.count ?? 0;
      const [into, out] = leg === 'end-to-end' ? [d.sent, count] : leg === 'twins->edge' ? [d.sent, d.acked] : [d.acked, count];
      return { device: d.device, sensor: d.sensor, in: into, out, lost: Math.max(0, into - out) };
    });
}
