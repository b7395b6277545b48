import { describe, expect, it } from 'vitest';
import { edgeSaving, FaultKpis, PLANNED_REPAIR_H, UNPLANNED_DOWNTIME_H } from '../../../web/client/kpis';
import type { LiveAlert } from '../../../web/client/live-reading';

const raised = (device: string, tsMs: number, state: LiveAlert['state'] = 'raised'): LiveAlert => ({ device, tsMs, rule: 'r', state, severity: 'warning', value: 1, threshold: 0.2, message: 'm' });

describe('the demo KPIs', () => {
  it('measures detection lead time from a fault onset to the end of the first window that raised an alert on its machine', () => {
    const kpis = new FaultKpis();
    kpis.onFault('pump-1', 10_400);
    kpis.onFault('fan-2', 60_000);
    expect(kpis.lastLeadS).toBeUndefined();
    kpis.onAlert(raised('pump-1', 5_000), 1000); // ended before the onset: not this fault's
    kpis.onAlert(raised('fan-2', 70_000, 'cleared'), 1000);
    expect(kpis.detected).toBe(0);
    // The window [10 s, 11 s) holds the onset at 10.4 s; its alert was known at 11 s.
    kpis.onAlert(raised('pump-1', 10_000), 1000);
    expect(kpis.lastLeadS).toBeCloseTo(0.6, 12);
    kpis.onAlert(raised('pump-1', 20_000), 1000); // a later alert does not re-time a detected fault
    kpis.onAlert(raised('fan-2', 94_000), 1000);
    expect([kpis.detected, kpis.lastLeadS]).toEqual([2, 35]);
    expect(kpis.downtimeAvoidedH).toBe(2 * (UNPLANNED_DOWNTIME_H - PLANNED_REPAIR_H));
  });

  it('counts an alert that arrived before the page learned of its fault (the control\'s answer can lag the stream)', () => {
    const kpis = new FaultKpis();
    kpis.onAlert(raised('pump-1', 4_000), 1000);
    kpis.onFault('pump-1', 4_426);
    expect(kpis.lastLeadS).toBeCloseTo(0.574, 12);
  });

  it('gives the edge saving over every gateway, and nothing before any bytes came in', () => {
    expect(edgeSaving([])).toBeUndefined();
    expect(edgeSaving([{ bytesIn: 0, bytesOut: 0 }])).toBeUndefined();
    expect(edgeSaving([{ bytesIn: 1_000_000, bytesOut: 20_000 }, { bytesIn: 1_000_000, bytesOut: 30_000 }])).toBeCloseTo(0.975, 12);
  });
});
