// Shapes on the page's event stream; platform-free: the browser client owns them and the server imports them.
import type { EventV1 } from '../../protocol';
import type { SiteLayout } from './site';

export interface LiveReading {
  device: string;
  sensor: string;
  seq: number;
  /** Event time of the window, ms since the Unix epoch. */
  tsMs: number;
  unit: string;
  /** Length of the window, ms: an alert stamped with a window's start was known at its end. */
  windowMs: number;
  /** Every feature the gateway computed for the window (rms, peak, crest, mean, bands …). */
  features: Record<string, number>;
  /** The edge anomaly model's score of the window and the threshold it was judged against, when one scored it. */
  score?: { value: number; threshold: number };
}

/** An alert state change, as the cloud publishes it minus the envelope fields. */
export type LiveAlert = Omit<EventV1, 'type' | 'v' | 'kind'> & { kind?: EventV1['kind'] };

export interface LiveSnapshot {
  readings: LiveReading[];
  /** Alert state changes so far, oldest first. */
  alerts: LiveAlert[];
}

export interface PageRule {
  metric: string;
  above: number;
  device?: string;
  sensor?: string;
}

export interface PageConfig {
  title: string;
  rules: readonly PageRule[];
  /** The hall to draw; without one, machines appear as their readings arrive, drawn as cabinets. */
  site?: SiteLayout;
  /** Whether the server takes demo controls (fault injection, network, pace). */
  controls: boolean;
  /** A finished run to scrub through (GET /api/replay), not a live stream. */
  replay?: boolean;
  /** The scenario's faults (replay marks, detection KPIs): device, type and onset, ms since the Unix epoch. */
  faults?: { device: string; type: string; atMs: number }[];
}

export function toLiveReading(
  r: { device: string; sensor: string; seq: number; tsMs: number; windowMs: number; unit: string; features: Record<string, number> },
  model?: { score: number; threshold: number },
): LiveReading {
  return {
    device: r.device,
    sensor: r.sensor,
    seq: r.seq,
    tsMs: r.tsMs,
    windowMs: r.windowMs,
    unit: r.unit,
    features: r.features,
    ...(model ? { score: { value: model.score, threshold: model.threshold } } : {}),
  };
}
