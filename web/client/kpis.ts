import type { LiveAlert } from './live-reading';

/**
 * Downtime an early detection avoids, per fault: an unplanned bearing or drive failure stops a line for about a shift
 * (8 h, with parts and call-out), a repair planned from an early alert for about 2 h. The demo's assumption, stated
 * on the page, not a measurement.
 */
export const UNPLANNED_DOWNTIME_H = 8;
export const PLANNED_REPAIR_H = 2;

interface Onset {
  device: string;
  atMs: number;
}

/** When an alert was known: its window's end (an alert carries its window's start). */
interface Detection {
  device: string;
  knownMs: number;
}

/** The demo's headline figures: how soon faults were detected and what that is worth. */
export class FaultKpis {
  readonly #onsets: Onset[] = [];
  readonly #detections: Detection[] = [];

  /** A fault that starts at `atMs` (event time): the scenario's, or one injected from the page (its answer may come after the alert). */
  onFault(device: string, atMs: number): void {
    this.#onsets.push({ device, atMs });
  }

  /** A raised alert, from a window `windowMs` long: it detects every fault of its machine that began before the window ended. */
  onAlert(a: LiveAlert, windowMs = 0): void {
    if (a.state === 'raised') this.#detections.push({ device: a.device, knownMs: a.tsMs + windowMs });
  }

  /** Each fault's lead time, onset to the end of the first window that raised an alert on its machine, s. */
  #leads(): (number | undefined)[] {
    return this.#onsets.map((o) => {
      const first = this.#detections.filter((d) => d.device === o.device && d.knownMs > o.atMs).sort((x, y) => x.knownMs - y.knownMs)[0];
      return first ? (first.knownMs - o.atMs) / 1000 : undefined;
    });
  }

  get detected(): number {
    return this.#leads().filter((l) => l !== undefined).length;
  }

  /** Lead time of the latest fault that was detected, s. */
  get lastLeadS(): number | undefined {
    return this.#leads()
      .filter((l): l is number => l !== undefined)
      .at(-1);
  }

  get downtimeAvoidedH(): number {
    return this.detected * (UNPLANNED_DOWNTIME_H - PLANNED_REPAIR_H);
  }
}

/** Share of the bytes devices sent that the edge kept off the uplink, from gateways' counters; undefined before any. */
export function edgeSaving(counters: readonly { bytesIn?: number; bytesOut?: number }[]): number | undefined {
  let bytesIn = 0;
  let bytesOut = 0;
  for (const c of counters) {
    bytesIn += c.bytesIn ?? 0;
    bytesOut += c.bytesOut ?? 0;
  }
  return bytesIn > 0 ? 1 - bytesOut / bytesIn : undefined;
}
