import { Counter, Gauge, Registry } from 'prom-client';
import type { LoadSnapshot } from './load-report';

const PHASES: readonly LoadSnapshot['phase'][] = ['connecting', 'running', 'draining', 'done'];

/**
 * A load run's figures as Prometheus series, read from `snapshot` at each scrape (nothing is counted twice: the fleet
 * owns the counts, a scrape copies them). Its own registry, so a test or a second run never shares series.
 */
export function loadMetrics(snapshot: () => LoadSnapshot, defaultLabels?: Record<string, string>): Registry {
  const registry = new Registry();
  if (defaultLabels) registry.setDefaultLabels(defaultLabels);
  const registers = [registry];
  // One snapshot per scrape: every series of a scrape comes from the same moment.
  let cached: { at: number; value: LoadSnapshot } | undefined;
  const read = () => {
    const now = performance.now();
    if (!cached || now - cached.at > 50) cached = { at: now, value: snapshot() };
    return cached.value;
  };
  const gauge = (name: string, help: string, value: (s: LoadSnapshot) => number) =>
    new Gauge({ name, help, registers, collect() { this.set(value(read())); } });
  const counter = (name: string, help: string, value: (s: LoadSnapshot) => number) =>
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(value(read())); } });

  new Gauge({
    name: 'twinbed_twins_phase',
    help: 'The run\'s phase: 1 for the current one (connecting, running, draining, done).',
    labelNames: ['phase'],
    registers,
    collect() {
      const phase = read().phase;
      for (const p of PHASES) this.set({ phase: p }, p === phase ? 1 : 0);
    },
  });
  gauge('twinbed_twins_devices', 'Devices this process runs (its shard of the scaled fleet).', (s) => s.devices);
  gauge('twinbed_twins_devices_failed', 'Devices that never connected; the run goes on without them.', (s) => s.devicesFailed);
  gauge('twinbed_twins_connected', 'Devices connected now.', (s) => s.transport.connectedNow);
  counter('twinbed_twins_connect_attempts_total', 'CONNECTs sent, reconnects included.', (s) => s.transport.connectAttempts);
  counter('twinbed_twins_connections_established_total', 'CONNACKs that accepted a connection, reconnects included.', (s) => s.transport.connectsEstablished);
  counter('twinbed_twins_disconnects_total', 'Established connections that closed.', (s) => s.transport.disconnects);
  new Counter({
    name: 'twinbed_twins_messages_total',
    help: 'MQTT messages the devices wrote, by result: sent, acked (PUBACK, or written at QoS 0), failed.',
    labelNames: ['result'],
    registers,
    collect() {
      const t = read().transport;
      this.reset();
      this.inc({ result: 'sent' }, t.messages);
      this.inc({ result: 'acked' }, t.acked);
      this.inc({ result: 'failed' }, t.failed);
    },
  });
  counter('twinbed_twins_bytes_total', 'Payload bytes written.', (s) => s.transport.bytes);
  gauge('twinbed_twins_intended_messages_per_second', 'Messages a second the scenario\'s readings make for this shard.', (s) => s.intendedPerS);
  gauge('twinbed_twins_simulated_seconds', 'Simulated seconds run so far.', (s) => s.simulatedS);
  const quantiles = (name: string, help: string, pick: (s: LoadSnapshot) => { p50Ms: number; p99Ms: number; maxMs: number }) =>
    new Gauge({
      name,
      help,
      labelNames: ['quantile'],
      registers,
      collect() {
        const h = pick(read());
        const seconds = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : 0);
        this.set({ quantile: '0.5' }, seconds(h.p50Ms));
        this.set({ quantile: '0.99' }, seconds(h.p99Ms));
        this.set({ quantile: '1' }, seconds(h.maxMs));
      },
    });
  quantiles('twinbed_twins_puback_latency_seconds', 'PUBLISH to PUBACK of QoS 1 messages since the start, seconds (quantile 1 is the maximum).', (s) => s.transport.pubackMs);
  quantiles('twinbed_twins_connect_latency_seconds', 'CONNECT to CONNACK since the start, seconds (quantile 1 is the maximum).', (s) => s.transport.connectMs);
  new Counter({
    name: 'twinbed_twins_errors_total',
    help: 'Errors by reason: refused CONNACKs and PUBACKs with their reason codes, socket errors by code.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(read().transport.errors)) this.inc({ reason }, n);
    },
  });
  return registry;
}
