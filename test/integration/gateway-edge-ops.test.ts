import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exportPcaOnnx, fitPcaModel, Gateway, GatewayConfigSchema, sha256Hex, type GatewayConfigInput } from '../../gateway';
import { bytesToBase64, decodeAs, encodeMessage, topics, type CommandV1, type ReplyV1, type TelemetryV1 } from '../../protocol';
import { connectMqtt, createRng, ScaledRealClock, startBroker, type EmbeddedBroker, type MqttClient } from '../../sim';
import { waitUntil } from '../support/twinbed-process';
import { sumOfSquaresModel } from '../unit/gateway/model/custom-graphs';

const SITE = 'ops';
const GATEWAY = 'gw-ops';
const START_MS = Date.UTC(2026, 0, 1);
/** The time-domain features every window reports, and the anomaly model's inputs, in its order. */
const STATS = ['rms', 'peak', 'crest', 'kurtosis', 'skewness'] as const;
const PIPELINES: GatewayConfigInput['pipelines'] = [{ sensors: ['*'], window: { blocks: 1, function: 'rect' }, features: { stats: [...STATS] } }];

const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-edge-ops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Time-domain stats of one block, as the gateway's pipeline reports them (central moments; Pearson kurtosis). */
function blockStats(values: readonly number[]): Record<(typeof STATS)[number], number> {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const moment = (k: number) => values.reduce((a, x) => a + (x - mean) ** k, 0) / n;
  const [m2, m3, m4] = [moment(2), moment(3), moment(4)];
  const rms = Math.sqrt(values.reduce((a, x) => a + x * x, 0) / n);
  const peak = Math.max(...values.map(Math.abs));
  return { rms, peak, crest: peak / rms, kurtosis: m4 / (m2 * m2), skewness: m3 / m2 ** 1.5 };
}

/** A PCA model on the five stats, fitted on 500 blocks like the ones the tests send, as ONNX bytes carrying `version`. */
function modelBytes(version: string): Uint8Array {
  const rng = createRng(`edge-ops-fit-${version}`);
  const rows = Array.from({ length: 500 }, () => {
    const stats = blockStats(Array.from({ length: 64 }, () => 0.05 * rng.normal()));
    return STATS.map((name) => stats[name]);
  });
  return exportPcaOnnx(fitPcaModel(rows, [...STATS]), { version, fittedOn: '500 blocks of Gaussian noise, σ 0.05 g' });
}

/** A block of 64 samples of Gaussian noise with standard deviation `sigma` (so RMS ≈ sigma). */
function noiseBlock(rng: ReturnType<typeof createRng>, device: string, sensor: string, seq: number, sigma: number): Buffer {
  const values = Array.from({ length: 64 }, () => sigma * rng.normal());
  const message: TelemetryV1 = { type: 'telemetry', v: 1, device, sensor, seq, tsMs: START_MS + seq * 16, rateHz: 4000, unit: 'g', values };
  return Buffer.from(encodeMessage(message));
}

/** Every sample of a Prometheus text exposition, with its labels. */
function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** Scrapes `url` and returns a lookup of one series' value by name and a subset of its labels (undefined: absent). */
async function scrape(url: string): Promise<(name: string, labels?: Record<string, string>) => number | undefined> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const samples = parseMetrics(await response.text());
  return (name, labels = {}) => {
    const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series; name more labels`);
    return found[0]?.value;
  };
}

/** A broker's close, safe to call again (the test closes one on purpose; the cleanup closes it if the test did not get there). */
const closing = new WeakMap<EmbeddedBroker, Promise<void>>();
const closeOnce = (broker: EmbeddedBroker) => (): Promise<void> => {
  if (!closing.has(broker)) closing.set(broker, broker.close());
  return closing.get(broker)!;
};

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('gateway operations at the edge', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const startGateway = async (cloud: EmbeddedBroker, extra: Partial<GatewayConfigInput>): Promise<Gateway> => {
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: SITE, id: GATEWAY, devices: { listen: { port: 0 } }, upstream: { url: cloud.url }, statusIntervalS: 3600, pipelines: PIPELINES, ...extra }),
      clock: new ScaledRealClock(),
    });
    cleanups.push(() => gateway.stop());
    return gateway;
  };
  const connect = async (url: string, clientId: string): Promise<MqttClient> => {
    const client = await connectMqtt(url, { clientId, reconnectPeriod: 0 });
    cleanups.push(() => client.endAsync(true));
    return client;
  };
  /** The gateway has taken in `received` payloads and its inbox, outbox and uplink are empty. */
  const drained = (gateway: Gateway, received: number) => () => {
    const { inbox, outbox, inFlight } = gateway.pending();
    return gateway.counters().received === received && inbox === 0 && outbox === 0 && inFlight === 0;
  };

  describe('Prometheus scrape of a running gateway', () => {
    it('counts bytes in per device and sensor as sent, bytes out per kind as the cloud received them, and the queue while the uplink is down', async () => {
      let cloud = await startBroker({ id: 'ops-cloud' });
      cleanups.push(closeOnce(cloud));
      const gateway = await startGateway(cloud, {
        metrics: { listen: { port: 0 } },
        rules: [{ name: 'rms-high', metric: 'rms', sensor: 'accel', above: 0.5 }],
      });
      expect(gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const labels = { site: SITE, gateway: GATEWAY };

      const received = { features: [] as number[], event: [] as number[] };
      const watcher = await connect(cloud.url, 'ops-watcher');
      watcher.on('message', (topic, payload) => {
        if (topic.includes('/features/')) received.features.push(payload.length);
        else if (topic.endsWith('/event')) received.event.push(payload.length);
      });
      await watcher.subscribeAsync([`twinbed/v1/${SITE}/+/features/+`, `twinbed/v1/${SITE}/+/event`], { qos: 1 });

      // Three streams of different sizes; one loud pump-1 accel block raises an event and the next one clears it.
      const rng = createRng('edge-ops-metrics');
      const device = await connect(gateway.deviceUrl, 'ops-devices');
      const sent = new Map<string, number>();
      const publish = async (name: string, sensor: string, seq: number, sigma: number) => {
        const payload = noiseBlock(rng, name, sensor, seq, sigma);
        sent.set(`${name}/${sensor}`, (sent.get(`${name}/${sensor}`) ?? 0) + payload.length);
        await device.publishAsync(topics.telemetry(SITE, name, sensor), payload, { qos: 1 });
      };
      for (let seq = 0; seq < 20; seq++) await publish('pump-1', 'accel', seq, seq === 10 ? 2 : 0.05);
      for (let seq = 0; seq < 5; seq++) await publish('pump-1', 'temp', seq, 0.01);
      for (let seq = 0; seq < 8; seq++) await publish('pump-2', 'accel', seq, 0.05);
      expect(await waitUntil(() => drained(gateway, 33)() && received.features.length === 33 && received.event.length === 2, 10_000)).toBe(true);

      let metric = await scrape(gateway.metricsUrl!);
      expect(metric('twinbed_gateway_bytes_in_total', { device: 'pump-1', sensor: 'accel', ...labels })).toBe(sent.get('pump-1/accel'));
      expect(metric('twinbed_gateway_bytes_in_total', { device: 'pump-1', sensor: 'temp', ...labels })).toBe(sent.get('pump-1/temp'));
      expect(metric('twinbed_gateway_bytes_in_total', { device: 'pump-2', sensor: 'accel', ...labels })).toBe(sent.get('pump-2/accel'));
      // What the gateway says it sent is byte for byte what the cloud broker delivered.
      expect(metric('twinbed_gateway_bytes_out_total', { kind: 'features', ...labels })).toBe(sum(received.features));
      expect(metric('twinbed_gateway_bytes_out_total', { kind: 'events', ...labels })).toBe(sum(received.event));
      expect(sum(received.features)).toBeGreaterThan(0);
      expect(metric('twinbed_gateway_uplink_messages_total', { result: 'acked', ...labels })).toBe(35);
      for (const priority of ['events', 'features', 'raw']) {
        expect(metric('twinbed_gateway_queue_depth', { priority, ...labels })).toBe(0);
        expect(metric('twinbed_gateway_queue_bytes', { priority, ...labels })).toBe(0);
        expect(metric('twinbed_gateway_queue_oldest_age_seconds', { priority, ...labels })).toBe(0);
      }
      expect(metric('twinbed_gateway_dead_lettered_total', labels)).toBe(0);

      // Uplink down: what the gateway computes now waits in the outbox, and the gauges show it.
      const { port } = cloud;
      await closeOnce(cloud)();
      for (let seq = 20; seq < 32; seq++) await publish('pump-1', 'accel', seq, 0.05);
      expect(await waitUntil(() => gateway.counters().received === 45 && gateway.pending().inbox === 0 && gateway.pending().outbox === 12, 10_000)).toBe(true);
      // The oldest queued row ages on the gateway's clock: scrape until the gauge shows 50 ms of it.
      const oldestAgeS = () => metric('twinbed_gateway_queue_oldest_age_seconds', { priority: 'features', ...labels }) ?? 0;
      expect(
        await waitUntil(async () => {
          metric = await scrape(gateway.metricsUrl!);
          return oldestAgeS() >= 0.05;
        }, 10_000),
      ).toBe(true);
      expect(metric('twinbed_gateway_bytes_in_total', { device: 'pump-1', sensor: 'accel', ...labels })).toBe(sent.get('pump-1/accel'));
      expect(metric('twinbed_gateway_queue_depth', { priority: 'features', ...labels })).toBe(12);
      expect(metric('twinbed_gateway_queue_depth', { priority: 'events', ...labels })).toBe(0);
      const queuedBytes = metric('twinbed_gateway_queue_bytes', { priority: 'features', ...labels })!;
      expect(queuedBytes).toBeGreaterThan(12 * 50);
      const bytesOutBefore = metric('twinbed_gateway_bytes_out_total', { kind: 'features', ...labels })!;

      // Uplink back on the same port: the queue drains, and bytes out grows by exactly what was queued.
      cloud = await startBroker({ id: 'ops-cloud-again', port });
      cleanups.push(closeOnce(cloud));
      expect(await waitUntil(drained(gateway, 45), 10_000)).toBe(true);
      metric = await scrape(gateway.metricsUrl!);
      expect(metric('twinbed_gateway_queue_depth', { priority: 'features', ...labels })).toBe(0);
      expect(metric('twinbed_gateway_bytes_out_total', { kind: 'features', ...labels })! - bytesOutBefore).toBe(queuedBytes);
    });

    it('times every anomaly model run, one per scored window, in twinbed_gateway_inference_seconds', async () => {
      const cloud = await startBroker({ id: 'ops-cloud-inference' });
      cleanups.push(closeOnce(cloud));
      const model = path.join(dir, 'inference.onnx');
      writeFileSync(model, modelBytes('inference-v1'));
      const gateway = await startGateway(cloud, { metrics: { listen: { port: 0 } }, anomaly: { sensors: ['accel'], model } });
      expect(gateway.models?.status().active?.version).toBe('inference-v1');
      const rng = createRng('edge-ops-inference');
      const device = await connect(gateway.deviceUrl, 'ops-inference-device');
      for (let seq = 0; seq < 10; seq++) await device.publishAsync(topics.telemetry(SITE, 'pump-1', 'accel'), noiseBlock(rng, 'pump-1', 'accel', seq, 0.05), { qos: 1 });
      // The model scores accel windows only: the temperature blocks are not timed.
      for (let seq = 0; seq < 2; seq++) await device.publishAsync(topics.telemetry(SITE, 'pump-1', 'temp'), noiseBlock(rng, 'pump-1', 'temp', seq, 0.05), { qos: 1 });
      expect(await waitUntil(drained(gateway, 12), 10_000)).toBe(true);

      const metric = await scrape(gateway.metricsUrl!);
      const labels = { site: SITE, gateway: GATEWAY };
      expect(metric('twinbed_gateway_inference_seconds_count', labels)).toBe(10);
      expect(metric('twinbed_gateway_inference_seconds_sum', labels)).toBeGreaterThan(0);
      expect(metric('twinbed_gateway_inference_seconds_bucket', { le: '+Inf', ...labels })).toBe(10);
      // A five-feature PCA takes well under 100 ms on any machine that runs this suite.
      expect(metric('twinbed_gateway_inference_seconds_bucket', { le: '0.1', ...labels })).toBe(10);
    });
  });

  describe('model slot over MQTT', () => {
    const CHECKS = ['read', 'sha256', 'parse', 'spec', 'io', 'shadow', 'parity'];

    /** A gateway with a model folder holding good, truncated and tampered models, that has seen 20 accel windows. */
    const modelGateway = async (name: string, anomaly: Partial<NonNullable<GatewayConfigInput['anomaly']>> = {}) => {
      const modelDir = mkdtempSync(path.join(dir, `${name}-`));
      const v1 = modelBytes('v1');
      const v2 = modelBytes('v2');
      const tampered = Uint8Array.from(v1);
      tampered[tampered.length >> 1]! ^= 0xff;
      writeFileSync(path.join(modelDir, 'v1.onnx'), v1);
      writeFileSync(path.join(modelDir, 'v2.onnx'), v2);
      writeFileSync(path.join(modelDir, 'truncated.onnx'), v2.subarray(0, v2.length >> 1));
      writeFileSync(path.join(modelDir, 'tampered.onnx'), tampered);

      const cloud = await startBroker({ id: `${name}-cloud` });
      cleanups.push(closeOnce(cloud));
      const gateway = await startGateway(cloud, { anomaly: { sensors: ['accel'], modelDir, ...anomaly } });
      const slot = gateway.models!;
      const rng = createRng(name);
      const device = await connect(gateway.deviceUrl, `${name}-device`);
      let seq = 0;
      /** Sends `count` healthy accel blocks and waits until the gateway has processed and forwarded them. */
      const publishBlocks = async (count: number) => {
        for (const end = seq + count; seq < end; ) await device.publishAsync(topics.telemetry(SITE, 'pump-1', 'accel'), noiseBlock(rng, 'pump-1', 'accel', seq++, 0.05), { qos: 1 });
        expect(await waitUntil(drained(gateway, seq), 10_000)).toBe(true);
      };
      await publishBlocks(20);
      expect(slot.status().recentWindows).toBe(20);

      // The cloud side: an operator that sends gateway commands and reads the status they are answered in.
      const operator = await connect(cloud.url, `${name}-operator`);
      const upstream: { topic: string; text: string; payload: Buffer }[] = [];
      operator.on('message', (topic, payload) => upstream.push({ topic, text: payload.toString('utf8'), payload }));
      await operator.subscribeAsync(`twinbed/v1/${SITE}/#`, { qos: 1 });
      let ids = 0;
      const send = (action: string, args?: Record<string, unknown>): Promise<unknown> => {
        const command: CommandV1 = { type: 'cmd', v: 1, device: GATEWAY, tsMs: START_MS, id: `op-${++ids}`, action, ...(args ? { args } : {}) };
        return operator.publishAsync(topics.cmd(SITE, GATEWAY), Buffer.from(encodeMessage(command, 'json')), { qos: 1 });
      };
      /** The gateway's replies to commands, from upstream message `from` on. */
      const results = (from = 0): ReplyV1[] =>
        upstream
          .slice(from)
          .filter((m) => m.topic === topics.reply(SITE, GATEWAY))
          .map((m) => decodeAs(Buffer.from(m.text), 'reply'));
      /** Sends one command and returns the gateway's reply to it. */
      const reply = async (action: string, args?: Record<string, unknown>): Promise<ReplyV1> => {
        const from = upstream.length;
        await send(action, args);
        const id = `op-${ids}`;
        expect(await waitUntil(() => results(from).some((r) => r.id === id), 10_000)).toBe(true);
        return results(from).find((r) => r.id === id)!;
      };
      /** Sends one command and returns the gateway's verdict: 1 done, 0 refused. */
      const command = async (action: string, args?: Record<string, unknown>): Promise<number> => ((await reply(action, args)).ok ? 1 : 0);
      /** Edge events the cloud has received, in order. */
      const events = () => upstream.filter((m) => m.topic === topics.event(SITE, 'pump-1')).map((m) => decodeAs(Buffer.from(m.text), 'event'));
      /** Accel feature windows the cloud has received (CBOR), in order. */
      const windows = () => upstream.filter((m) => m.topic === topics.features(SITE, 'pump-1', 'accel')).map((m) => decodeAs(m.payload, 'features'));
      /** The gateway's latest status message. */
      const status = () => upstream.filter((m) => m.topic === topics.status(SITE, GATEWAY)).map((m) => decodeAs(m.payload, 'status')).at(-1);
      return { gateway, slot, v1, upstream, send, results, reply, command, publishBlocks, events, windows, status };
    };

    it('stages with every check passed, activates, swaps to a second version and rolls back to the first on commands from the cloud', async () => {
      const { slot, v1, command, publishBlocks, events } = await modelGateway('slot-ops');
      expect(slot.status()).toMatchObject({ active: null, staged: null, previous: null });

      expect(await command('model.stage', { path: 'v1.onnx', version: 'v1', sha256: sha256Hex(v1) })).toBe(1);
      const status = slot.status();
      expect(status).toMatchObject({ active: null, staged: { version: 'v1', sha256: sha256Hex(v1), format: 'twinbed', features: [...STATS] }, lastStage: { version: 'v1', ok: true } });
      expect(status.lastStage!.checks.map((c) => [c.check, c.ok])).toEqual(CHECKS.map((check) => [check, true]));
      // The staged model was tried on the 20 windows this gateway has seen, and agrees with its TypeScript reference.
      expect(status.lastStage!.checks.find((c) => c.check === 'sha256')!.detail).toContain('as declared');
      expect(status.lastStage!.checks.find((c) => c.check === 'shadow')!.detail).toMatch(/^20 recent windows scored, all finite/);

      expect(await command('model.activate', { version: 'v1' })).toBe(1);
      expect(slot.status()).toMatchObject({ active: { version: 'v1' }, staged: null, previous: null });
      // v1 scores the healthy blocks it was fitted on as healthy: no anomaly.
      await publishBlocks(10);
      expect(events()).toEqual([]);

      // v2 is staged with a threshold no window can stay under, so the windows show which model scores them.
      expect(await command('model.stage', { path: 'v2.onnx', version: 'v2', threshold: 1e-9 })).toBe(1);
      expect(slot.status()).toMatchObject({ active: { version: 'v1' }, staged: { version: 'v2', threshold: 1e-9 } });
      expect(await command('model.activate')).toBe(1);
      expect(slot.status()).toMatchObject({ active: { version: 'v2' }, staged: null, previous: { version: 'v1' } });
      await publishBlocks(3);
      expect(await waitUntil(() => events().length === 1, 5000)).toBe(true);
      expect(events()).toMatchObject([{ kind: 'anomaly', state: 'raised', origin: 'edge', threshold: 1e-9, message: expect.stringContaining('(model v2)') }]);

      // Back on v1 the same healthy blocks are under its threshold again: five of them clear the anomaly.
      expect(await command('model.rollback')).toBe(1);
      expect(slot.status()).toMatchObject({ active: { version: 'v1' }, previous: { version: 'v2' } });
      await publishBlocks(5);
      expect(await waitUntil(() => events().length === 2, 5000)).toBe(true);
      expect(events().map((e) => e.state)).toEqual(['raised', 'cleared']);
      expect(events()[1]).toMatchObject({ threshold: slot.status().active!.threshold, message: expect.stringContaining('(model v1)') });
      // Refusals of the slot's state come back as refusals too: a version that is already active or previous.
      expect(await command('model.stage', { path: 'v2.onnx', version: 'v2' })).toBe(0);
      expect(await command('model.status')).toBe(1);
    });

    it('refuses a truncated model, a tampered one and a path outside its model folder, and keeps the active model', async () => {
      const { slot, v1, command } = await modelGateway('slot-refusals');
      expect(await command('model.stage', { path: 'v1.onnx', version: 'v1' })).toBe(1);
      expect(await command('model.activate')).toBe(1);
      const active = slot.status().active!;

      expect(await command('model.stage', { path: 'truncated.onnx', version: 'v3' })).toBe(0);
      let status = slot.status();
      expect(status.lastStage).toMatchObject({ version: 'v3', ok: false });
      expect(status.lastStage!.checks.map((c) => [c.check, c.ok])).toEqual([
        ['read', true],
        ['sha256', true],
        ['parse', false],
      ]);
      expect(status.lastStage!.checks.at(-1)!.detail).not.toBe('');
      expect(status).toMatchObject({ active: { version: 'v1', sha256: active.sha256 }, staged: null });

      // One flipped byte, announced with the hash of the good file: refused before ONNX Runtime sees it.
      expect(await command('model.stage', { path: 'tampered.onnx', version: 'v4', sha256: sha256Hex(v1) })).toBe(0);
      status = slot.status();
      expect(status.lastStage).toMatchObject({ version: 'v4', ok: false });
      expect(status.lastStage!.checks.at(-1)).toMatchObject({ check: 'sha256', ok: false, detail: expect.stringContaining('corrupt or not the announced one') });

      // A command arrives over the network: it may only name files inside the model folder.
      expect(await command('model.stage', { path: '../outside.onnx', version: 'v5' })).toBe(0);
      expect(slot.status().lastStage).toMatchObject({ version: 'v4' });
      expect(slot.status()).toMatchObject({ active: { version: 'v1', sha256: active.sha256 }, staged: null, previous: null });
    });

    it('tells the cloud why a stage was refused: a reply with the command id, the refusal code, the failed check and every check run', async () => {
      const { reply } = await modelGateway('slot-reason');
      const answer = await reply('model.stage', { path: 'truncated.onnx', version: 'v3' });
      expect(answer).toMatchObject({ type: 'reply', device: GATEWAY, action: 'model.stage', ok: false, code: expect.stringMatching(/^E_/), error: expect.stringContaining('v3') });
      const result = answer.result as { reasons: { check: string; ok: boolean }[]; status: { lastStage: { checks: { check: string; ok: boolean }[] } } };
      expect(result.reasons.map((c) => [c.check, c.ok])).toEqual([['parse', false]]);
      expect(result.status.lastStage.checks.map((c) => [c.check, c.ok])).toEqual([
        ['read', true],
        ['sha256', true],
        ['parse', false],
      ]);
    });

    it('carries out commands in the order they arrive: a stage and an activate sent back to back activate the staged model', async () => {
      const { slot, send, results, upstream } = await modelGateway('slot-order');
      const from = upstream.length;
      await Promise.all([send('model.stage', { path: 'v1.onnx', version: 'v1' }), send('model.activate', { version: 'v1' })]);
      expect(await waitUntil(() => results(from).length === 2, 10_000)).toBe(true);
      expect(results(from).map((r) => [r.action, r.ok])).toEqual([
        ['model.stage', true],
        ['model.activate', true],
      ]);
      expect(slot.status()).toMatchObject({ active: { version: 'v1' }, staged: null });
    });

    it('refuses a tampered copy of a signed model on a gateway with trusted keys, with the reason in its reply', async () => {
      const keys = generateKeyPairSync('ed25519');
      const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const { slot, v1, reply } = await modelGateway('slot-signed', { trustedKeys: [{ id: 'cloud-2026', publicKey }] });
      const signature = bytesToBase64(sign(null, v1, keys.privateKey));

      // tampered.onnx is v1 with one byte flipped, sent with v1's signature.
      const refused = await reply('model.stage', { path: 'tampered.onnx', version: '1.1.0', signature, keyId: 'cloud-2026' });
      expect(refused).toMatchObject({
        type: 'reply',
        device: GATEWAY,
        action: 'model.stage',
        ok: false,
        code: 'E_MODEL_SIGNATURE',
        error: 'model 1.1.0: signature does not verify with key "cloud-2026" — the file was changed after signing, or signed with another key',
      });
      const result = refused.result as { reasons: { check: string; ok: boolean; detail: string }[] };
      expect(result.reasons).toEqual([{ check: 'signature', ok: false, detail: expect.stringContaining('the file was changed after signing') }]);
      expect(slot.status()).toMatchObject({ active: null, staged: null, lastStage: { version: '1.1.0', ok: false } });

      // The untouched file with the same signature is accepted; an unsigned one is not.
      expect(await reply('model.stage', { path: 'v1.onnx', version: '1.1.0', signature, keyId: 'cloud-2026' })).toMatchObject({ ok: true, result: { model: { version: '1.1.0' } } });
      expect(await reply('model.stage', { path: 'v2.onnx', version: 'v2' })).toMatchObject({ ok: false, code: 'E_MODEL_SIGNATURE', error: expect.stringMatching(/^model v2: unsigned/) });
    });

    it('sends every window the model scores with its score and version, the new version from the window after model.activate, and says in its status what it runs', async () => {
      const { slot, command, publishBlocks, events, windows, status } = await modelGateway('slot-scores');
      await publishBlocks(2);
      // No model active yet: the windows say which gateway computed them, and carry no score.
      expect(await waitUntil(() => windows().length === 2, 5000)).toBe(true);
      expect(windows().map((w) => [w.v, 'gateway' in w ? w.gateway : undefined, 'model' in w])).toEqual([
        [2, GATEWAY, false],
        [2, GATEWAY, false],
      ]);

      expect(await command('model.stage', { path: 'v1.onnx', version: 'v1' })).toBe(1);
      // The status follows the reply on the same uplink: wait for it rather than read it with the reply.
      await expect.poll(() => status()?.model, { timeout: 5000 }).toEqual({ staged: 'v1' });
      expect(await command('model.activate')).toBe(1);
      await expect.poll(() => status()?.model, { timeout: 5000 }).toEqual({ active: 'v1' });
      expect(status()).toMatchObject({ state: 'online', counters: { 'lastCommand.ok': 1 } });
      const v1Threshold = slot.status().active!.threshold;
      await publishBlocks(4);
      expect(await waitUntil(() => windows().length === 6, 5000)).toBe(true);
      for (const w of windows().slice(2)) {
        expect(w).toMatchObject({ v: 2, gateway: GATEWAY, model: { version: 'v1', threshold: v1Threshold } });
        expect(w.v === 2 && Number.isFinite(w.model!.score)).toBe(true);
      }

      // v2 has a threshold every window passes: the first window after the activation is scored by v2, and every
      // window scored while the anomaly it raises stays raised still carries its score.
      expect(await command('model.stage', { path: 'v2.onnx', version: 'v2', threshold: 1e-9 })).toBe(1);
      expect(await command('model.activate', { version: 'v2' })).toBe(1);
      await expect.poll(() => status()?.model, { timeout: 5000 }).toEqual({ active: 'v2', previous: 'v1' });
      await publishBlocks(6);
      expect(await waitUntil(() => windows().length === 12 && events().length === 1, 5000)).toBe(true);
      expect(events()).toMatchObject([{ kind: 'anomaly', state: 'raised', tsMs: windows()[8]!.tsMs }]);
      const afterSwap = windows().slice(6);
      expect(afterSwap.map((w) => (w.v === 2 ? [w.model?.version, w.model?.threshold, w.model!.score > w.model!.threshold] : []))).toEqual(Array(6).fill(['v2', 1e-9, true]));

      expect(await command('model.rollback')).toBe(1);
      await expect.poll(() => status()?.model, { timeout: 5000 }).toEqual({ active: 'v1', previous: 'v2' });
    });

    it('refuses an unknown command and a raw request for a stream it has no raw uplink for, saying why', async () => {
      const { reply } = await modelGateway('slot-unknown');
      expect(await reply('model.explode')).toMatchObject({ ok: false, code: 'E_UNKNOWN_ACTION', error: expect.stringContaining('raw.request, model.stage') });
      expect(await reply('raw.request', { device: 'pump-1', seconds: 5 })).toMatchObject({ ok: false, code: 'E_NO_STREAM' });
      expect(await reply('raw.request', { device: 'pump-1', seconds: -1 })).toMatchObject({ ok: false, code: 'E_BAD_ARGS', error: expect.stringContaining('seconds') });
    });
  });

  describe('an external ONNX model from the config', () => {
    it('runs any model with a declared input spec and threshold: score = rms² + peak², an anomaly when it passes 1', async () => {
      const cloud = await startBroker({ id: 'ops-cloud-external' });
      cleanups.push(closeOnce(cloud));
      const model = path.join(dir, 'sum-of-squares.onnx');
      writeFileSync(model, sumOfSquaresModel({ d: 2 }));
      const gateway = await startGateway(cloud, {
        anomaly: { sensors: ['accel'], model, version: 'sos-1', inputs: { features: ['rms', 'peak'] }, threshold: 1, anomalyAfter: 2, clearAfter: 2 },
      });
      expect(gateway.models?.status().active).toMatchObject({ version: 'sos-1', format: 'external', features: ['rms', 'peak'], threshold: 1 });
      const watcher = await connect(cloud.url, 'ops-external-watcher');
      const events: string[] = [];
      watcher.on('message', (_topic, payload) => events.push(decodeAs(payload, 'event').state));
      await watcher.subscribeAsync(topics.event(SITE, 'pump-1'), { qos: 1 });
      const rng = createRng('edge-ops-external');
      const device = await connect(gateway.deviceUrl, 'ops-external-device');
      // σ 0.05: rms² + peak² ≈ 0.03; σ 2: far over 1. Two loud windows raise, two quiet ones clear.
      const sigmas = [0.05, 0.05, 2, 2, 2, 0.05, 0.05, 0.05];
      for (const [seq, sigma] of sigmas.entries()) await device.publishAsync(topics.telemetry(SITE, 'pump-1', 'accel'), noiseBlock(rng, 'pump-1', 'accel', seq, sigma), { qos: 1 });
      expect(await waitUntil(() => drained(gateway, sigmas.length)() && events.length === 2, 10_000)).toBe(true);
      expect(events).toEqual(['raised', 'cleared']);
    });

    it('with trusted keys, starts a model whose signature file beside it verifies, and refuses to start without one or with a changed model', async () => {
      const cloud = await startBroker({ id: 'ops-cloud-signed' });
      cleanups.push(closeOnce(cloud));
      const keys = generateKeyPairSync('ed25519');
      const keyFile = path.join(dir, 'cloud-2026.pem');
      writeFileSync(keyFile, keys.publicKey.export({ type: 'spki', format: 'pem' }));
      const bytes = modelBytes('signed-v1');
      const signature = bytesToBase64(sign(null, bytes, keys.privateKey));
      const anomalyFor = (model: string) => ({ sensors: ['accel'], model, trustedKeys: [{ id: 'cloud-2026', publicKey: keyFile }] });

      const model = path.join(dir, 'signed.onnx');
      writeFileSync(model, bytes);
      writeFileSync(`${model}.sig`, `${signature}\n`);
      const gateway = await startGateway(cloud, { anomaly: anomalyFor(model) });
      expect(gateway.models?.status().active).toMatchObject({ version: 'signed-v1', checks: expect.arrayContaining([{ check: 'signature', ok: true, detail: 'Ed25519, verified with key "cloud-2026"' }]) });
      await gateway.stop();

      const unsigned = path.join(dir, 'unsigned.onnx');
      writeFileSync(unsigned, bytes);
      await expect(startGateway(cloud, { anomaly: anomalyFor(unsigned) })).rejects.toMatchObject({ code: 'E_MODEL_SIGNATURE', message: expect.stringMatching(/^model unsigned: no signature file .*unsigned\.onnx\.sig \(ENOENT\)/) });

      const changed = path.join(dir, 'changed.onnx');
      const tampered = Uint8Array.from(bytes);
      tampered[tampered.length >> 1]! ^= 0x01;
      writeFileSync(changed, tampered);
      writeFileSync(`${changed}.sig`, signature);
      await expect(startGateway(cloud, { anomaly: anomalyFor(changed) })).rejects.toMatchObject({ code: 'E_MODEL_SIGNATURE', message: expect.stringContaining('signature does not verify with any trusted key ("cloud-2026")') });
    });

    it('refuses to start when the model is not the one the config announces (sha256)', async () => {
      const cloud = await startBroker({ id: 'ops-cloud-sha' });
      cleanups.push(closeOnce(cloud));
      const model = path.join(dir, 'sum-of-squares-sha.onnx');
      writeFileSync(model, sumOfSquaresModel({ d: 2 }));
      const anomaly = { sensors: ['accel'], model, inputs: { features: ['rms', 'peak'] }, threshold: 1, sha256: '0'.repeat(64) };
      await expect(startGateway(cloud, { anomaly })).rejects.toThrow(/sha256/);
    });
  });
});
