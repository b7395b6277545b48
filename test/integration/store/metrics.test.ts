import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayMetrics, MetricsConfigSchema, startMetricsServer } from '../../../gateway/metrics';
import { DurableStore, Forwarder, PRIORITY, type UplinkClient } from '../../../gateway/store/index';
import { VirtualClock } from '../../../sim/index';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The value of one series in Prometheus text format, or undefined when it is not exposed. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const offline: UplinkClient = { connected: false, publish: () => {}, on: () => {}, removeListener: () => {} };

describe('gateway metrics over HTTP', () => {
  it('serves every gateway metric on GET /metrics, with queue gauges read from the store at scrape time', async () => {
    const clock = new VirtualClock(Date.UTC(2025, 0, 1));
    const store = DurableStore.open({ path: path.join(dir, 'metrics.db'), clock, outbox: { maxBytes: 300 } });
    const forwarder = new Forwarder({ store, client: offline, clock });
    const metrics = new GatewayMetrics({ defaultLabels: { site: 'site-1', gateway: 'gw-1' } });
    metrics.trackQueue(() => forwarder.stats());
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry });
    try {
      const message = (priority: 0 | 1 | 2, seq: number, bytes = 100) => ({
        priority,
        topic: `twinbed/site-1/pump-1/accel/${['events', 'features', 'raw'][priority]}`,
        payload: Buffer.alloc(bytes),
        qos: 1 as const,
        key: { device: 'pump-1', sensor: 'accel', seq },
      });
      // Three raw blocks fill 300 bytes; an event evicts the oldest; a 400-byte feature is too large.
      store.enqueue([message(PRIORITY.raw, 1), message(PRIORITY.raw, 2), message(PRIORITY.raw, 3), message(PRIORITY.events, 4, 80), message(PRIORITY.features, 5, 400)]);
      await clock.runUntil(clock.now() + 2500);
      metrics.bytesIn('pump-1', 'accel', 4096);
      metrics.bytesIn('pump-1', 'accel', 4096);
      metrics.bytesOut('features', 120);
      metrics.inference(0.0031);
      metrics.deadLettered();

      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      const labels = 'site="site-1",gateway="gw-1"';
      expect(sample(text, `twinbed_gateway_queue_depth{priority="events",${labels}}`)).toBe(1);
      expect(sample(text, `twinbed_gateway_queue_depth{priority="raw",${labels}}`)).toBe(2);
      expect(sample(text, `twinbed_gateway_queue_bytes{priority="events",${labels}}`)).toBe(80);
      expect(sample(text, `twinbed_gateway_queue_bytes{priority="raw",${labels}}`)).toBe(200);
      expect(sample(text, `twinbed_gateway_queue_oldest_age_seconds{priority="raw",${labels}}`)).toBe(2.5);
      expect(sample(text, `twinbed_gateway_dropped_total{priority="raw",reason="evicted",${labels}}`)).toBe(1);
      expect(sample(text, `twinbed_gateway_dropped_total{priority="features",reason="too-large",${labels}}`)).toBe(1);
      expect(sample(text, `twinbed_gateway_dropped_total{priority="events",reason="evicted",${labels}}`)).toBe(0);
      expect(sample(text, `twinbed_gateway_bytes_in_total{device="pump-1",sensor="accel",${labels}}`)).toBe(8192);
      expect(sample(text, `twinbed_gateway_bytes_out_total{kind="features",${labels}}`)).toBe(120);
      expect(sample(text, `twinbed_gateway_dead_lettered_total{${labels}}`)).toBe(1);
      expect(sample(text, `twinbed_gateway_inference_seconds_count{${labels}}`)).toBe(1);
      expect(sample(text, `twinbed_gateway_inference_seconds_bucket{le="0.005",${labels}}`)).toBe(1);
      expect(sample(text, `twinbed_gateway_inference_seconds_bucket{le="0.0025",${labels}}`)).toBe(0);
      expect(sample(text, `twinbed_gateway_uplink_messages_total{result="sent",${labels}}`)).toBe(0);

      // The next scrape sees the queue as it is then, not as it was.
      const [event] = store.outboxPage(PRIORITY.events, 0, 1);
      store.deleteOutbox([event!.id]);
      const again = await (await fetch(server.url)).text();
      expect(sample(again, `twinbed_gateway_queue_depth{priority="events",${labels}}`)).toBe(0);
      expect(sample(again, `twinbed_gateway_dropped_total{priority="raw",reason="evicted",${labels}}`)).toBe(1);
    } finally {
      await server.close();
      store.close();
    }
  });

  it('answers 404 off /metrics and 405 to anything but GET', async () => {
    const server = await startMetricsServer({ port: 0, registry: new GatewayMetrics().registry });
    try {
      const root = server.url.replace(/\/metrics$/, '/');
      expect((await fetch(root)).status).toBe(404);
      const post = await fetch(server.url, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await server.close();
    }
  });

  it('takes its listen address from a validated config section, defaulting to 127.0.0.1:9464', () => {
    expect(MetricsConfigSchema.parse({})).toEqual({ listen: { host: '127.0.0.1', port: 9464 } });
    expect(() => MetricsConfigSchema.parse({ listen: { port: 70_000 } })).toThrow(/70000|65535/);
  });
});
