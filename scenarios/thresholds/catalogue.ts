import type { Aggregation } from './syntax';

/** Tags a metric can be narrowed by, as in k6's `metric{tag:value}`. */
export type TagName = 'device' | 'sensor' | 'link' | 'kind' | 'fault' | 'action';

/** What a metric needs from a target to be measured; plan.ts refuses a threshold whose target lacks it. */
export type MetricNeed =
  /** Alerts observed (an `as: alert` topic on an mqtt target; a rule or an anomaly model on the embedded one). */
  | 'alerts'
  /** Readings held per (device, sensor): a store query, or observed readings keyed by seq. */
  | 'held'
  /** Observed readings keyed by seq, to tell a copy from a new reading. */
  | 'keyed-readings'
  /** Observed readings at all (their bytes). */
  | 'readings'
  /** twinbed's own gateway. */
  | 'embedded';

export interface MetricSpec {
  /** Unit of every value, as details print it (`s`, `ms`, `/h`, `×`, or a counted noun). */
  unit: string;
  /** `distribution`: aggregated (p(N), avg, min, max, med, count); `value`: one figure compared as it is. */
  shape: 'distribution' | 'value';
  /** For a distribution kept only as a summary: the aggregations it has. Default: all of them. */
  aggregations?: readonly Aggregation[];
  tags: readonly TagName[];
  /** Targets that can give it: `embedded`, `mqtt`. */
  targets: readonly ('embedded' | 'mqtt')[];
  /** What the values are timed with: event time carried in messages, the simulation, or the wall clock (varies run to run). */
  clock: 'event' | 'simulated' | 'wall' | 'none';
  needs: readonly MetricNeed[];
  /** How it is measured: one line for the README catalogue and error messages. */
  measured: string;
}

const BOTH = ['embedded', 'mqtt'] as const;

/** Every metric a threshold can name. The README's metric catalogue is this table. */
export const METRICS = {
  detection_delay_s: {
    unit: 's',
    shape: 'distribution',
    tags: ['device', 'fault', 'kind'],
    targets: BOTH,
    clock: 'event',
    needs: ['alerts'],
    measured: 'per fault: the first alert raised on its device at or after its onset, minus the onset (event time); a fault never detected counts as ∞',
  },
  false_alarms_per_hour: {
    unit: '/h',
    shape: 'value',
    tags: ['device', 'sensor', 'kind'],
    targets: BOTH,
    clock: 'event',
    needs: ['alerts'],
    measured: 'alerts raised while no fault of their device was active, per simulated hour of the run',
  },
  alerts_raised: {
    unit: 'alerts',
    shape: 'value',
    tags: ['device', 'sensor', 'kind'],
    targets: BOTH,
    clock: 'none',
    needs: ['alerts'],
    measured: 'alerts raised, as observed (cleared states not counted)',
  },
  commands_received: {
    unit: 'commands',
    shape: 'value',
    tags: ['device', 'action'],
    targets: BOTH,
    clock: 'none',
    needs: [],
    measured: 'commands the twins received from the system under test (the scenario\'s own steps not counted)',
  },
  qos1_lost: {
    unit: 'readings',
    shape: 'value',
    tags: ['device', 'sensor', 'link'],
    targets: BOTH,
    clock: 'none',
    needs: ['held'],
    measured:
      'QoS 1 readings published and never stored (or passed on upstream); with link:twins->edge, published but never acknowledged by the edge; with link:edge->cloud, acknowledged by the edge but never stored',
  },
  qos0_lost: {
    unit: 'readings',
    shape: 'value',
    tags: ['device', 'sensor'],
    targets: BOTH,
    clock: 'none',
    needs: ['held'],
    measured: 'QoS 0 readings published and never stored (or passed on upstream)',
  },
  duplicates: {
    unit: 'copies',
    shape: 'value',
    tags: ['device', 'sensor'],
    targets: BOTH,
    clock: 'none',
    needs: ['keyed-readings'],
    measured: 'reading messages observed upstream more than once (same seq and size): copies a deduplicating store drops',
  },
  bandwidth_reduction: {
    unit: '×',
    shape: 'value',
    tags: [],
    targets: BOTH,
    clock: 'none',
    needs: ['readings'],
    measured: 'embedded: payload bytes into the gateway ÷ bytes it had acknowledged upstream; mqtt: payload bytes the twins published ÷ bytes observed upstream',
  },
  puback_ms: {
    unit: 'ms',
    shape: 'distribution',
    aggregations: ['avg', 'min', 'max', 'med', 'count', 'p(50)', 'p(90)', 'p(99)'],
    tags: [],
    targets: BOTH,
    clock: 'wall',
    needs: [],
    measured: 'PUBLISH to PUBACK of the twins\' QoS 1 messages, wall ms (the fleet keeps avg, min, max, p(50), p(90), p(99))',
  },
  connect_ms: {
    unit: 'ms',
    shape: 'distribution',
    aggregations: ['avg', 'min', 'max', 'med', 'count', 'p(50)', 'p(90)', 'p(99)'],
    tags: [],
    targets: BOTH,
    clock: 'wall',
    needs: [],
    measured: 'CONNECT to CONNACK of the twins, wall ms (the fleet keeps avg, min, max, p(50), p(90), p(99))',
  },
  action_latency_ms: {
    unit: 'ms',
    shape: 'distribution',
    aggregations: ['med', 'count', 'p(50)', 'p(99)'],
    tags: [],
    targets: ['embedded'],
    clock: 'wall',
    needs: ['embedded'],
    measured: 'the embedded gateway\'s local event to the command it sends, wall ms (it reports p(50) and p(99))',
  },
  link_latency_ms: {
    unit: 'ms',
    shape: 'distribution',
    tags: ['link'],
    targets: BOTH,
    clock: 'simulated',
    needs: [],
    measured: 'one-way delay each message drew on a simulated link (scenario links:), simulated ms; the link must be declared, and named when both are',
  },
  edge_to_cloud_latency_ms: {
    unit: 'ms',
    shape: 'distribution',
    tags: [],
    targets: ['embedded'],
    clock: 'simulated',
    needs: ['embedded'],
    measured:
      'the delay each uplink message drew on the simulated edge->cloud link, simulated ms: link_latency_ms{link:edge->cloud}. It leaves out the gateway\'s own processing and loopback TCP, and needs an edge->cloud entry under links:',
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

export function metricSpec(name: MetricName): MetricSpec {
  return METRICS[name];
}

/** The directed links a run can simulate: devices to the gateway's broker, and the gateway's uplink to the cloud. */
export const LINK_NAMES: readonly string[] = ['twins->edge', 'edge->cloud'];

/** What each tag narrows a metric to. */
export const TAGS: Readonly<Record<TagName, string>> = {
  device: 'a twin id',
  sensor: 'a sensor name of the twins',
  link: 'twins->edge or edge->cloud',
  kind: '`alert` (threshold rules) or `anomaly` (the edge anomaly model)',
  fault: 'a fault id (faults[].id, or `<device>/<type>`)',
  action: 'a command action, e.g. slow-down',
};
