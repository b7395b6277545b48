import { readFile } from 'node:fs/promises';
import { inspectOnnx } from '../gateway';
import { fullSeverityAtS } from '../twins';
import type { ReceivedCommand } from '../twins';
import type { Scenario } from './schema';
import type { ObservationLog } from './target';

/** A feature trend a report draws: what the rules and the anomaly model watch. Undefined device or sensor: any. */
export interface SeriesSpec {
  device?: string;
  sensor?: string;
  metric: string;
  /** Threshold lines: the rules' `above`. */
  thresholds: number[];
}

/** What a run looked like over simulated time, for reports that draw it. Times are run seconds. */
export interface RunTimeline {
  faults: { id: string; device: string; type: string; sensor?: string; atS: number; fullAtS: number }[];
  alerts: { device: string; sensor?: string; kind?: 'alert' | 'anomaly'; state: 'raised' | 'cleared'; rule: string; atS: number }[];
  commands: { device: string; action: string; atS: number }[];
  /** The scenario's steps as carried out, with what the device did. */
  steps: { device: string; action: string; atS: number; outcome: string }[];
  /** Each watched feature per device and sensor, as [atS, value], at most MAX_POINTS (the highest value of each bucket). */
  series: { device: string; sensor: string; metric: string; thresholds: number[]; points: [number, number][] }[];
}

/** Points per drawn series: enough for a 1,000-pixel plot; a bucket keeps its highest value, so no peak is lost. */
const MAX_POINTS = 1000;

/** The fault's id: its own, or `<device>/<type>` with `#n` from the second of a kind on a device. */
export function faultIds(scenario: Scenario): string[] {
  const seen = new Map<string, number>();
  return scenario.faults.map((fault) => {
    if (fault.id !== undefined) return fault.id;
    const base = `${fault.device}/${fault.type}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

/** The features the scenario's rules (cloud and edge) and its anomaly model watch. */
export async function watchedSeries(scenario: Scenario): Promise<SeriesSpec[]> {
  const specs = new Map<string, SeriesSpec>();
  const add = (spec: Omit<SeriesSpec, 'thresholds'>, threshold?: number) => {
    const key = `${spec.device ?? '*'}/${spec.sensor ?? '*'}/${spec.metric}`;
    const known = specs.get(key) ?? { ...spec, thresholds: [] };
    if (threshold !== undefined && !known.thresholds.includes(threshold)) known.thresholds.push(threshold);
    specs.set(key, known);
  };
  for (const rule of [...scenario.rules, ...(scenario.gateway?.rules ?? [])]) {
    add({ ...(rule.device ? { device: rule.device } : {}), ...(rule.sensor ? { sensor: rule.sensor } : {}), metric: rule.metric }, rule.above);
  }
  const anomaly = scenario.gateway?.anomaly;
  if (anomaly) {
    let features: readonly string[] | undefined = anomaly.inputs?.features;
    if (!features && anomaly.model) {
      // The model's own input list; a model that cannot be read shows no trend here (the gateway reports why).
      features = await readFile(anomaly.model).then((bytes) => inspectOnnx(bytes).twinbed?.params.featureNames, () => undefined);
    }
    for (const sensor of anomaly.sensors) for (const metric of features ?? []) add({ sensor, metric });
  }
  // Models the cloud trains during the run have no inputs to read yet: show what moves when a model's world does.
  if (scenario.cloud?.models) {
    const shaft = scenario.gateway?.pipelines.some((p) => p.features?.envelope?.shaftRpmFrom !== undefined) ?? false;
    for (const sensor of anomaly?.sensors ?? ['accel']) for (const metric of ['rms', 'kurtosis', ...(shaft ? ['shaftHz'] : [])]) add({ sensor, metric });
  }
  return [...specs.values()];
}

export function buildTimeline(scenario: Scenario, startMs: number, log: ObservationLog, commands: readonly ReceivedCommand[]): Omit<RunTimeline, 'steps'> {
  const at = (tsMs: number) => round((tsMs - startMs) / 1000);
  const ids = faultIds(scenario);
  return {
    faults: scenario.faults.map((fault, i) => ({
      id: ids[i]!,
      device: fault.device,
      type: fault.type,
      ...('sensor' in fault && typeof fault.sensor === 'string' ? { sensor: fault.sensor } : {}),
      atS: fault.atS,
      fullAtS: round(fullSeverityAtS(fault)),
    })),
    alerts: [...log.alerts]
      .sort((a, b) => a.tsMs - b.tsMs)
      .map((a) => ({ device: a.device, ...(a.sensor ? { sensor: a.sensor } : {}), ...(a.kind ? { kind: a.kind } : {}), state: a.state, rule: a.rule, atS: at(a.tsMs) })),
    commands: commands.map((c) => ({ device: c.device, action: c.command.action, atS: round(c.atS) })),
    series: log.series().map((s) => ({ ...s, points: downsample(s.points.map(([tsMs, v]) => [at(tsMs), v] as [number, number])) })),
  };
}

function downsample(points: [number, number][]): [number, number][] {
  const sorted = points.sort((a, b) => a[0] - b[0]);
  if (sorted.length <= MAX_POINTS) return sorted;
  const out: [number, number][] = [];
  const size = sorted.length / MAX_POINTS;
  for (let b = 0; b < MAX_POINTS; b++) {
    const bucket = sorted.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    let best = bucket[0]!;
    for (const p of bucket) if (p[1] > best[1]) best = p;
    out.push(best);
  }
  return out;
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}
