import http from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { listen } from '../sim';
import { DROP_REASONS, PRIORITIES, PRIORITY_NAMES, type DropReason, type PerPriority } from './store';

/** The `metrics:` section of the gateway config: a Prometheus scrape endpoint. */
export const MetricsConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on. Default 127.0.0.1.'),
        port: z.number().int().min(0).max(65_535).default(9464).describe('TCP port; 0 picks a free one. Default 9464.'),
      })
      .strict()
      .prefault({})
      .describe('Where GET /metrics is served.'),
  })
  .strict();
export type MetricsConfig = z.output<typeof MetricsConfigSchema>;

/** What `twinbed_gateway_bytes_out_total` is broken down by. */
export type BytesOutKind = 'events' | 'features' | 'raw' | 'deadletter' | 'status';

/** The inbox backlog as the gauges show it at each scrape. */
export interface InboxSnapshot {
  rows: number;
  bytes: number;
  /** Monotonic: device publishes whose acknowledgement waited for room. */
  backpressured: number;
}

/** The queue as the gauges show it at each scrape; `Forwarder.stats()` fits, and so does `DurableStore.outboxStats()`. */
export interface QueueSnapshot {
  depth: PerPriority<number>;
  bytes: PerPriority<number>;
  /** Monotonic counts by reason and priority. */
  dropped: Record<DropReason, PerPriority<number>>;
  /** Monotonic: rows upstream refused, by priority (reported as reason `refused`). */
  refused?: PerPriority<number>;
  oldestAgeMs?: PerPriority<number | null>;
  sent?: number;
  acked?: number;
  resent?: number;
}

export interface GatewayMetricsOptions {
  /** Labels on every series, e.g. `{ site, gateway }`. Default: none. */
  defaultLabels?: Record<string, string>;
  /** Upper bounds of the inference histogram, seconds. Default 0.1 ms … 1 s. */
  inferenceBuckets?: number[];
}

const DEFAULT_INFERENCE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The gateway's Prometheus metrics, in a registry of their own (two gateways in one process, or a test, never share
 * series). Counters the gateway drives are typed methods; queue gauges are read from `trackQueue`'s source at scrape.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #bytesIn: Counter<'device' | 'sensor'>;
  readonly #bytesOut: Counter<'kind'>;
  readonly #bytesUp: Counter<'device' | 'sensor'>;
  readonly #inference: Histogram;
  readonly #deadLettered: Counter;
  #queue: (() => QueueSnapshot) | undefined;
  #inbox: (() => InboxSnapshot) | undefined;

  constructor(options: GatewayMetricsOptions = {}) {
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    const registers = [this.registry];
    const snapshot = () => this.#queue?.();
    const inbox = () => this.#inbox?.();
    new Gauge({
      name: 'twinbed_gateway_inbox_backlog',
      help: 'Device payloads accepted and not yet processed, rows and bytes.',
      labelNames: ['unit'],
      registers,
      collect() {
        const backlog = inbox();
        if (!backlog) return;
        this.set({ unit: 'rows' }, backlog.rows);
        this.set({ unit: 'bytes' }, backlog.bytes);
      },
    });
    new Counter({
      name: 'twinbed_gateway_backpressured_total',
      help: 'Device publishes whose acknowledgement waited for room in the inbox.',
      registers,
      collect() {
        const backlog = inbox();
        if (!backlog) return;
        this.reset();
        this.inc(backlog.backpressured);
      },
    });
    this.#bytesIn = new Counter({
      name: 'twinbed_gateway_bytes_in_total',
      help: 'Payload bytes received from devices.',
      labelNames: ['device', 'sensor'],
      registers,
    });
    this.#bytesOut = new Counter({ name: 'twinbed_gateway_bytes_out_total', help: 'Payload bytes queued upstream, by kind.', labelNames: ['kind'], registers });
    this.#bytesUp = new Counter({
      name: 'twinbed_gateway_bytes_up_total',
      help: 'Feature record bytes acknowledged upstream, per device and sensor (events and raw blocks are in bytes_out by kind).',
      labelNames: ['device', 'sensor'],
      registers,
    });
    this.#inference = new Histogram({
      name: 'twinbed_gateway_inference_seconds',
      help: 'Time to run the anomaly model on one feature window, seconds.',
      buckets: options.inferenceBuckets ?? DEFAULT_INFERENCE_BUCKETS,
      registers,
    });
    this.#deadLettered = new Counter({ name: 'twinbed_gateway_dead_lettered_total', help: 'Device payloads rejected to the dead-letter topic.', registers });
    new Gauge({
      name: 'twinbed_gateway_queue_depth',
      help: 'Messages queued for the uplink, by priority.',
      labelNames: ['priority'],
      registers,
      collect() {
        const queue = snapshot();
        if (queue) for (const p of PRIORITIES) this.set({ priority: PRIORITY_NAMES[p]! }, queue.depth[p]);
      },
    });
    new Gauge({
      name: 'twinbed_gateway_queue_bytes',
      help: 'Payload bytes queued for the uplink, by priority.',
      labelNames: ['priority'],
      registers,
      collect() {
        const queue = snapshot();
        if (queue) for (const p of PRIORITIES) this.set({ priority: PRIORITY_NAMES[p]! }, queue.bytes[p]);
      },
    });
    new Gauge({
      name: 'twinbed_gateway_queue_oldest_age_seconds',
      help: 'Age of the oldest message queued for the uplink, by priority, seconds; 0 when none is queued.',
      labelNames: ['priority'],
      registers,
      collect() {
        const ages = snapshot()?.oldestAgeMs;
        if (ages) for (const p of PRIORITIES) this.set({ priority: PRIORITY_NAMES[p]! }, (ages[p] ?? 0) / 1000);
      },
    });
    new Counter({
      name: 'twinbed_gateway_dropped_total',
      help: 'Messages dropped without being sent, by priority and reason (evicted, rejected, too-large, refused).',
      labelNames: ['priority', 'reason'],
      registers,
      collect() {
        const queue = snapshot();
        if (!queue) return;
        // The store and forwarder own these counts; a scrape copies them (reset + inc is how prom-client sets a counter).
        this.reset();
        for (const p of PRIORITIES) {
          const priority = PRIORITY_NAMES[p]!;
          for (const reason of DROP_REASONS) this.inc({ priority, reason }, queue.dropped[reason][p]);
          if (queue.refused) this.inc({ priority, reason: 'refused' }, queue.refused[p]);
        }
      },
    });
    new Counter({
      name: 'twinbed_gateway_uplink_messages_total',
      help: 'Uplink publishes by result: sent (resends included), acked (PUBACK, or written for QoS 0), resent.',
      labelNames: ['result'],
      registers,
      collect() {
        const queue = snapshot();
        if (!queue) return;
        this.reset();
        for (const result of ['sent', 'acked', 'resent'] as const) {
          const value = queue[result];
          if (value !== undefined) this.inc({ result }, value);
        }
      },
    });
  }

  /** Reads the queue gauges from `source` at every scrape (typically `() => forwarder.stats()`). */
  trackQueue(source: () => QueueSnapshot): void {
    this.#queue = source;
  }

  /** Reads the inbox gauges from `source` at every scrape. */
  trackInbox(source: () => InboxSnapshot): void {
    this.#inbox = source;
  }

  bytesIn(device: string, sensor: string, bytes: number): void {
    this.#bytesIn.inc({ device, sensor }, bytes);
  }

  /** Feature record bytes of one stream acknowledged upstream: with bytesIn, whether the edge reduces that stream. */
  bytesUp(device: string, sensor: string, bytes: number): void {
    this.#bytesUp.inc({ device, sensor }, bytes);
  }

  bytesOut(kind: BytesOutKind, bytes: number): void {
    this.#bytesOut.inc({ kind }, bytes);
  }

  /** Records one inference that took `seconds`. */
  inference(seconds: number): void {
    this.#inference.observe(seconds);
  }

  /** Starts timing one inference; call the result when it ends (it records and returns the seconds). */
  startInference(): () => number {
    return this.#inference.startTimer();
  }

  deadLettered(count = 1): void {
    this.#deadLettered.inc(count);
  }

  /** The exposition text of every series. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 9464. */
  port?: number;
  registry: Registry;
}

/** Serves `GET /metrics` in the Prometheus text format (node:http, no framework). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host = '127.0.0.1', port = 9464, registry } = options;
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics') return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found; scrape /metrics\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return void response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      // A collect callback that throws fails this scrape visibly (Prometheus marks the target down), never silently.
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot collect metrics: ${(error as Error).message}\n`),
    );
  });
  const where = await listen(server, port, host);
  return {
    url: `http://${where.urlHost}:${where.port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
