import type { ExpectationResult, RunEvidence } from '../expectations/evidence';
import { faultActive, identifiedFaults } from '../expectations/faults';
import { fmt, s } from '../expectations/format';
import { heldVerb, streamLosses } from '../expectations/losses';
import type { ObservedAlert } from '../target';
import { METRICS, type MetricSpec } from './catalogue';
import type { ThresholdCheck } from './checks';
import { thresholdName } from './checks';
import { histogramDistribution, sampleDistribution, summaryDistribution, type Distribution } from './distribution';
import { holds } from './syntax';

/** At most this many samples or events are quoted in a detail. */
const QUOTED = 5;

/** What a metric came to in a run: a distribution, or one value; `basis` says what it was measured over. */
export type Measurement = { shape: 'distribution'; distribution: Distribution; basis: string } | { shape: 'value'; value: number; basis: string };

/** Judges one threshold condition on the run's evidence: observed against expected, with what it was measured over. */
export function judgeThreshold(check: ThresholdCheck, evidence: RunEvidence): ExpectationResult {
  const spec: MetricSpec = METRICS[check.metric];
  const measurement = measure(check, evidence);
  const { aggregation, op, limit } = check.condition;
  const observed = measurement.shape === 'value' ? measurement.value : measurement.distribution.aggregate(aggregation) ?? NaN;
  const passed = holds(observed, op, limit);
  const what = aggregation === 'value' ? '' : `${aggregation} `;
  // A count is a number of samples, whatever the metric's unit.
  const unit = aggregation === 'count' ? '' : spec.unit;
  const seen = Number.isNaN(observed) ? `${what}of no samples` : `${what}${withUnit(observed, unit)}`;
  const detail = `observed ${seen}, expected ${what}${op} ${withUnit(limit, unit, false)}${measurement.basis ? `; ${measurement.basis}` : ''}`;
  return { name: thresholdName(check), type: 'threshold', passed, detail, ...(spec.clock === 'wall' ? { wallClock: true as const } : {}) };
}

/** What the run measured for a threshold's metric, narrowed by its tags. */
export function measure(check: ThresholdCheck, evidence: RunEvidence): Measurement {
  const { tags } = check;
  const at = (a: ObservedAlert) => (a.tsMs - evidence.startMs) / 1000;
  const raised = evidence.alerts.filter(
    (a) =>
      a.state === 'raised' &&
      (tags.device === undefined || a.device === tags.device) &&
      (tags.sensor === undefined || a.sensor === tags.sensor) &&
      (tags.kind === undefined || (a.kind ?? 'alert') === tags.kind),
  );
  switch (check.metric) {
    case 'detection_delay_s': {
      const faults = identifiedFaults(evidence.scenario).filter((f) => (tags.device === undefined || f.fault.device === tags.device) && (tags.fault === undefined || f.id === tags.fault));
      const delays = faults.map((f) => {
        const first = raised.find((a) => a.device === f.fault.device && at(a) >= f.fault.atS);
        return { id: f.id, delay: first ? at(first) - f.fault.atS : Infinity };
      });
      const quoted = delays.slice(0, QUOTED).map((d) => `${d.id} ${Number.isFinite(d.delay) ? s(d.delay) : 'never detected'}`);
      const basis = faults.length
        ? `${plural(faults.length, 'fault')}: ${quoted.join(', ')}${more(delays.length)}`
        : `no fault${tags.device ? ` on ${tags.device}` : ''} to detect`;
      return { shape: 'distribution', distribution: sampleDistribution(delays.map((d) => d.delay)), basis };
    }
    case 'false_alarms_per_hour': {
      const hours = evidence.scenario.durationS / 3600;
      const falseAlarms = raised.filter((a) => !faultActive(evidence.scenario, a.device, at(a)));
      const quoted = falseAlarms.slice(0, QUOTED).map((a) => `${a.device} "${a.rule}" at ${s(at(a))}`);
      const basis = `${plural(falseAlarms.length, 'alert')} raised with no fault of its device active, in ${fmt(hours)} h${quoted.length ? `: ${quoted.join(', ')}${more(falseAlarms.length)}` : ''}`;
      return { shape: 'value', value: falseAlarms.length / hours, basis };
    }
    case 'alerts_raised':
      return { shape: 'value', value: raised.length, basis: byDevice(raised.map((a) => a.device)) };
    case 'commands_received': {
      const commands = evidence.commands.filter((c) => (tags.device === undefined || c.device === tags.device) && (tags.action === undefined || c.action === tags.action));
      return { shape: 'value', value: commands.length, basis: byDevice(commands.map((c) => `${c.device} ${c.action}`)) };
    }
    case 'qos1_lost':
    case 'qos0_lost': {
      const qos = check.metric === 'qos1_lost' ? 1 : 0;
      const leg = qos === 1 ? (tags.link as 'twins->edge' | 'edge->cloud' | undefined) ?? 'end-to-end' : 'end-to-end';
      const losses = streamLosses(evidence, leg, qos, { ...(tags.device ? { device: tags.device } : {}), ...(tags.sensor ? { sensor: tags.sensor } : {}) });
      const [inVerb, outVerb] = leg === 'twins->edge' ? ['published', 'acknowledged by the edge'] : leg === 'edge->cloud' ? ['acknowledged by the edge', heldVerb(evidence)] : ['published', heldVerb(evidence)];
      const lossy = losses.filter((l) => l.lost > 0);
      const quoted = lossy.slice(0, QUOTED).map((l) => `${l.device}/${l.sensor} ${l.lost}`);
      const basis = `QoS ${qos} ${inVerb} ${sum(losses.map((l) => l.in))}, ${outVerb} ${sum(losses.map((l) => l.out))}${quoted.length ? `; lost: ${quoted.join(', ')}${more(lossy.length)}` : ''}`;
      return { shape: 'value', value: sum(losses.map((l) => l.lost)), basis };
    }
    case 'duplicates': {
      const streams = (evidence.delivered ?? []).filter((c) => (tags.device === undefined || c.device === tags.device) && (tags.sensor === undefined || c.sensor === tags.sensor));
      const copies = sum(streams.map((c) => c.copies));
      const quoted = streams.filter((c) => c.copies > 0).slice(0, QUOTED).map((c) => `${c.device}/${c.sensor} ${c.copies}`);
      return { shape: 'value', value: copies, basis: `over ${plural(streams.length, 'observed stream')}${quoted.length ? `: ${quoted.join(', ')}` : ''}` };
    }
    case 'bandwidth_reduction': {
      const bytes = evidence.bytes;
      if (!bytes) return { shape: 'value', value: NaN, basis: 'no byte counts in this run' };
      const [into, out, basis] = bytes.edge
        ? [bytes.edge.in, bytes.edge.out, `gateway: ${kb(bytes.edge.in)} in from devices, ${kb(bytes.edge.out)} acknowledged upstream`]
        : [bytes.published, bytes.observed, `${kb(bytes.published)} published by the twins, ${kb(bytes.observed)} observed upstream`];
      return { shape: 'value', value: out > 0 ? into / out : Infinity, basis };
    }
    case 'puback_ms':
    case 'connect_ms': {
      const summary = check.metric === 'puback_ms' ? evidence.wall?.pubackMs : evidence.wall?.connectMs;
      if (!summary) return { shape: 'distribution', distribution: summaryDistribution(0, {}), basis: 'wall clock; not measured in this run' };
      const distribution = summaryDistribution(summary.count, { avg: summary.meanMs, min: summary.minMs, max: summary.maxMs, 'p(50)': summary.p50Ms, 'p(90)': summary.p90Ms, 'p(99)': summary.p99Ms });
      return { shape: 'distribution', distribution, basis: `wall clock, ${plural(summary.count, check.metric === 'puback_ms' ? 'PUBACK' : 'CONNACK')}` };
    }
    case 'action_latency_ms': {
      const latency = evidence.wall?.actionLatency;
      const distribution = latency ? summaryDistribution(latency.count, { 'p(50)': latency.p50Ms, 'p(99)': latency.p99Ms }) : summaryDistribution(0, {});
      return { shape: 'distribution', distribution, basis: `wall clock, ${plural(latency?.count ?? 0, 'command')} the gateway sent` };
    }
    case 'link_latency_ms':
    case 'edge_to_cloud_latency_ms': {
      const declared = [...new Set(evidence.scenario.links.map((l) => l.link))];
      const name = check.metric === 'edge_to_cloud_latency_ms' ? 'edge->cloud' : tags.link ?? declared[0] ?? 'twins->edge';
      const link = evidence.links?.[name];
      if (!link) return { shape: 'distribution', distribution: sampleDistribution([]), basis: `${name} was not simulated` };
      return { shape: 'distribution', distribution: histogramDistribution(link.latencyMs), basis: `simulated ${name} link, ${plural(link.latencyMs.count, 'message')}` };
    }
  }
}

function withUnit(value: number, unit: string, noun = true): string {
  if (unit === '×') return `×${fmt(value)}`;
  if (unit === 's' || unit === 'ms' || unit === '/h') return `${fmt(value)} ${unit}`;
  return noun && unit ? `${fmt(value)} ${value === 1 ? (SINGULAR[unit] ?? unit) : unit}` : fmt(value);
}

const SINGULAR: Readonly<Record<string, string>> = { alerts: 'alert', commands: 'command', readings: 'reading', copies: 'copy' };

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function more(n: number): string {
  return n > QUOTED ? ` and ${n - QUOTED} more` : '';
}

/** `pump-1 3, pump-2 1`: counts by label, in order of first appearance. */
function byDevice(labels: readonly string[]): string {
  if (labels.length === 0) return '';
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const shown = [...counts].slice(0, QUOTED).map(([label, n]) => `${label} ${n}`);
  return `${shown.join(', ')}${more(counts.size)}`;
}

function kb(bytes: number): string {
  return `${fmt(bytes / 1000)} kB`;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
