// Shapes on the page's event stream; platform-free: the browser client owns them and the server imports them.
import type { EventV1 } from '../../protocol';

export interface LiveReading {
  device: string;
  sensor: string;
  seq: number;
  /** Event time of the block, ms since the Unix epoch. */
  tsMs: number;
  unit: string;
  rms: number;
  peak: number;
  crest: number;
}

/** An alert state change, as the cloud publishes it minus the envelope fields. */
export type LiveAlert = Omit<EventV1, 'type' | 'v' | 'kind'>;

export interface LiveSnapshot {
  readings: LiveReading[];
  /** Alert state changes so far, oldest first. */
  alerts: LiveAlert[];
}

export interface PageConfig {
  title: string;
  rules: readonly { metric: string; above: number; device?: string; sensor?: string }[];
}

export function toLiveReading(r: { device: string; sensor: string; seq: number; tsMs: number; unit: string; features: Record<string, number> }): LiveReading {
  return {
    device: r.device,
    sensor: r.sensor,
    seq: r.seq,
    tsMs: r.tsMs,
    unit: r.unit,
    rms: r.features.rms ?? 0,
    peak: r.features.peak ?? 0,
    crest: r.features.crest ?? 0,
  };
}
