// Every operation the cloud's OpenAPI document lists, called over HTTP on a real cloud (embedded broker, SQLite file,
// signing key): each answers its documented success status and media type, and each JSON answer validates against
// the schema the document gives for it. A route added without documentation, or documented and not called here,
// fails the last test.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import express, { type Router } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Cloud, cloudApi, ModelSigner, SqliteStorage, type OpenApiDocument } from '../../../cloud/index';
import { encodeMessage, topics, type FeaturesV2, type Message, type RawBlockV1, type StatusV1 } from '../../../protocol';
import { connectMqtt, listen, ScaledRealClock, startBroker, type EmbeddedBroker, type MqttClient } from '../../../sim';
import { SyntheticWindows } from '../model/synthetic-windows';

/** Event time of the first published window: 2026-01-01T00:00:00Z. */
const T0 = Date.UTC(2026, 0, 1);
const SITE = 'plant-a';
const DEVICES = ['pump-1', 'pump-2'];
/** Windows per device: the 12 synthetic features need at least 24 to train on. */
const WINDOWS = 45;
/** fan-1/temp windows two hours before T0, folded into rollups before the tests. */
const OLD_WINDOWS = 5;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

describe('cloud REST API: every documented operation on a real cloud', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-every-endpoint-'));
  let broker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let server: Server;
  let gateway: MqttClient;
  let apiUrl: string;
  let router: Router;
  let document: OpenApiDocument;
  /** The document with every $ref resolved, as the validator reads it. */
  let resolved: { paths: Record<string, Record<string, Operation>> };
  const called = new Set<string>();
  const clock = new ScaledRealClock({ startMs: T0 + 600_000 });

  const publish = (topic: string, message: Message | Buffer) =>
    gateway.publishAsync(topic, Buffer.isBuffer(message) ? message : Buffer.from(encodeMessage(message)), { qos: 1 });

  /**
   * Calls one documented operation: `template` is its path in the document, `fill` its path parameters. Checks the
   * documented success status and media type, and a JSON answer against the documented schema; returns the answer.
   */
  async function call(method: string, template: string, options: { fill?: Record<string, string>; query?: string; body?: unknown } = {}): Promise<unknown> {
    const name = `${method} ${template}`;
    const operation = resolved.paths[template]?.[method.toLowerCase()];
    expect(operation, `${name} is documented`).toBeDefined();
    called.add(name);
    const url = template.replace(/\{(\w+)\}/g, (_, param: string) => encodeURIComponent(options.fill?.[param] ?? `missing-${param}`)) + (options.query ?? '');
    const response = await fetch(new URL(url, apiUrl), {
      method,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const [status, answer] = Object.entries(operation!.responses).find(([code]) => code.startsWith('2'))!;
    expect(response.status, `${name}: ${bytes.toString().slice(0, 500)}`).toBe(Number(status));
    const [mediaType, media] = Object.entries(answer.content ?? {})[0]!;
    expect(response.headers.get('content-type')?.split(';')[0], name).toBe(mediaType);
    if (!media.schema) return bytes;
    const body: unknown = JSON.parse(bytes.toString());
    const checked = z.fromJSONSchema(media.schema as z.core.JSONSchema.JSONSchema).safeParse(body);
    expect(checked.success, `${name} answers what its documented schema allows: ${checked.error?.message}`).toBe(true);
    return body;
  }

  beforeAll(async () => {
    broker = await startBroker();
    storage = new SqliteStorage(path.join(dir, 'cloud.db'));
    cloud = await Cloud.start({
      brokerUrl: broker.url,
      storage,
      clock,
      signer: ModelSigner.generate('test-key'),
      rules: [{ name: 'accel-rms-high', metric: 'rms', sensor: 'accel', above: 0.2 }],
    });
    const app = express();
    router = cloudApi(cloud, { registry: cloud.registry, clock, brokerUrl: broker.url });
    app.use(router);
    server = createServer(app);
    const where = await listen(server, 0, '127.0.0.1');
    apiUrl = `http://${where.urlHost}:${where.port}`;

    gateway = await connectMqtt(broker.url, { clientId: 'gw-1-test' });
    const status: StatusV1 = { type: 'status', v: 1, device: 'gw-1', tsMs: T0, state: 'online', counters: { received: 0 } };
    await publish(topics.status(SITE, 'gw-1'), status);
    const healthy = new SyntheticWindows('every-endpoint');
    for (let seq = 0; seq < OLD_WINDOWS; seq++) {
      const window: FeaturesV2 = { type: 'features', v: 2, device: 'fan-1', sensor: 'temp', seq, tsMs: T0 - 7_200_000 + seq * 1000, windowMs: 1000, unit: 'degC', features: { rms: 40 + seq, peak: 41 + seq, crest: 1 }, gateway: 'gw-1' };
      await publish(topics.features(SITE, 'fan-1', 'temp'), window);
    }
    for (let seq = 0; seq < WINDOWS; seq++) {
      for (const device of DEVICES) {
        const f = healthy.features();
        const window: FeaturesV2 = { type: 'features', v: 2, device, sensor: 'accel', seq, tsMs: T0 + seq * 1000, windowMs: 1000, unit: 'g', features: { ...f, rms: f.rms!, peak: f.peak!, crest: f.crest! }, gateway: 'gw-1' };
        await publish(topics.features(SITE, device, 'accel'), window);
      }
    }
    const raw: RawBlockV1 = { type: 'raw', v: 1, device: 'pump-1', sensor: 'accel', seq: 0, tsMs: T0, rateHz: 25_600, unit: 'g', samples: 2, encoding: 'f32', data: new Uint8Array(new Float32Array([0.25, -0.5]).buffer) };
    await publish(topics.raw(SITE, 'pump-1', 'accel'), raw);
    await publish(topics.features(SITE, 'pump-1', 'accel'), Buffer.from('not a twinbed message'));

    await vi.waitFor(
      async () => expect(await storage.counts()).toMatchObject({ features: DEVICES.length * WINDOWS + OLD_WINDOWS, raw: 1, deadLetters: 1 }),
      { timeout: 30_000, interval: 50 },
    );
    await cloud.idle();
    await vi.waitFor(async () => expect((await cloud.registry.entry('gw-1'))?.kind).toBe('gateway'), { timeout: 10_000, interval: 50 });
    // Two hours back, with no raw retention: the fan-1 windows (and only they) are folded into rollups.
    expect(await storage.compact({ nowMs: T0 - 3_600_000, rawRetentionMs: 0, minuteRetentionMs: 86_400_000 })).toMatchObject({ rolledUp: OLD_WINDOWS });

    document = (await (await fetch(new URL('/api/openapi.json', apiUrl))).json()) as OpenApiDocument;
    const validator = new Validator();
    expect(await validator.validate(structuredClone(document))).toEqual({ valid: true });
    resolved = validator.resolveRefs() as typeof resolved;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await gateway?.endAsync();
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a document that validates as OpenAPI 3.1, and the schema check rejects an answer that breaks it', async () => {
    const validator = new Validator();
    expect(await validator.validate(structuredClone(document))).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    expect(await call('GET', '/api/openapi.json')).toEqual(document);
    const page = resolved.paths['/api/alert-entries']!.get!.responses['200']!.content!['application/json']!.schema!;
    expect(z.fromJSONSchema(page as z.core.JSONSchema.JSONSchema).safeParse({ items: [{ id: 'al-1' }] }).success).toBe(false);
    expect(z.fromJSONSchema(page as z.core.JSONSchema.JSONSchema).safeParse({ items: [], extra: 1 }).success).toBe(false);
  });

  it('serves the readings: devices, latest, series and its pages, legacy alerts and the counters', async () => {
    expect(await call('GET', '/api/stats')).toMatchObject({ stored: DEVICES.length * WINDOWS + OLD_WINDOWS, deadLettered: 1, rawStored: 1, storage: { features: DEVICES.length * WINDOWS } });
    expect((await call('GET', '/api/devices')) as { device: string }[]).toEqual(DEVICES.map((device) => expect.objectContaining({ device, readings: WINDOWS })));
    expect(await call('GET', '/api/devices/{device}/latest', { fill: { device: 'pump-1' } })).toMatchObject({ device: 'pump-1', sensors: { accel: { seq: WINDOWS - 1 } } });
    expect(await call('GET', '/api/devices/{device}/latest/{sensor}', { fill: { device: 'pump-2', sensor: 'accel' } })).toMatchObject({ seq: WINDOWS - 1, tsMs: T0 + (WINDOWS - 1) * 1000 });
    expect(((await call('GET', '/api/series', { query: '?device=pump-1&sensor=accel&limit=5' })) as { seq: number }[]).map((r) => r.seq)).toEqual([40, 41, 42, 43, 44]);
    const first = (await call('GET', '/api/series/page', { query: '?device=pump-1&sensor=accel&limit=40' })) as { items: { seq: number }[]; next?: string };
    expect(first.items.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const rest = (await call('GET', '/api/series/page', { query: `?device=pump-1&sensor=accel&limit=40&cursor=${first.next}` })) as { items: { seq: number }[]; next?: string };
    expect(rest.items.map((r) => r.seq)).toEqual([40, 41, 42, 43, 44]);
    expect(rest.next).toBeUndefined();
    expect((await call('GET', '/api/alerts', { query: '?device=pump-1' })) as unknown[]).toEqual([expect.objectContaining({ rule: 'accel-rms-high', state: 'raised' })]);
  });

  it('serves raw blocks, dead letters, rollups and the Parquet export', async () => {
    expect(await call('GET', '/api/raw', { query: '?device=pump-1&sensor=accel' })).toEqual({
      items: [expect.objectContaining({ seq: 0, samples: 2, encoding: 'f32', data: Buffer.from(new Float32Array([0.25, -0.5]).buffer).toString('base64') })],
    });
    expect(await call('GET', '/api/dead-letters', { query: '?stage=cloud' })).toEqual({
      items: [expect.objectContaining({ stage: 'cloud', topic: topics.features(SITE, 'pump-1', 'accel'), payloadB64: Buffer.from('not a twinbed message').toString('base64') })],
    });
    const rollups = (await call('GET', '/api/rollups', { query: '?device=fan-1&sensor=temp&resolution=1m' })) as { items: { count: number; features: Record<string, { min: number; max: number }> }[] };
    expect(rollups.items.map((r) => [r.count, r.features.rms])).toEqual([[OLD_WINDOWS, { min: 40, max: 44, mean: 42 }]]);
    const parquet = (await call('GET', '/api/export.parquet', { query: '?sensor=accel' })) as Buffer;
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
    expect(parquet.subarray(-4).toString()).toBe('PAR1');
  });

  it('serves the registry: entries, shadows, a desired-state change and Thing Descriptions', async () => {
    const entries = (await call('GET', '/api/registry')) as { id: string; kind: string; online: boolean }[];
    expect(entries.filter((e) => e.kind === 'gateway')).toEqual([expect.objectContaining({ id: 'gw-1', online: true })]);
    const shadow = (await call('GET', '/api/devices/{device}/shadow', { fill: { device: 'pump-1' } })) as { version: number };
    expect(await call('PATCH', '/api/devices/{device}/shadow/desired', { fill: { device: 'pump-1' }, body: { desired: { speedRpm: 900 }, version: shadow.version } })).toMatchObject({
      shadow: { desired: { speedRpm: 900 }, version: shadow.version + 1 },
    });
    expect(await call('GET', '/api/devices/{device}/td', { fill: { device: 'pump-1' } })).toMatchObject({ id: `urn:twinbed:${SITE}:pump-1`, title: 'pump-1' });
  });

  it('acknowledges, shelves and unshelves the alert the rule raised, as api:<by>', async () => {
    const listed = (await call('GET', '/api/alert-entries', { query: '?rule=accel-rms-high&device=pump-1' })) as { items: { id: string; state: string; raisedMs: number }[] };
    expect(listed.items).toEqual([expect.objectContaining({ state: 'raised', raisedMs: T0 })]);
    const id = listed.items[0]!.id;
    expect(await call('GET', '/api/alert-entries/{id}', { fill: { id } })).toMatchObject({ id, device: 'pump-1', sensor: 'accel', origin: 'cloud' });
    const acked = (await call('POST', '/api/alert-entries/{id}/ack', { fill: { id }, body: { by: 'alice', note: 'checking the bearing' } })) as { state: string; history: { by: string }[] };
    expect(acked).toMatchObject({ state: 'acknowledged' });
    expect(acked.history.at(-1)).toMatchObject({ state: 'acknowledged', by: 'api:alice', note: 'checking the bearing' });
    const untilMs = clock.now() + 3_600_000;
    expect(await call('POST', '/api/alert-entries/{id}/shelve', { fill: { id }, body: { by: 'alice', untilMs } })).toMatchObject({ state: 'shelved', shelvedUntilMs: untilMs });
    expect(await call('POST', '/api/alert-entries/{id}/unshelve', { fill: { id }, body: { by: 'bob' } })).toMatchObject({ state: 'acknowledged' });
  });

  it('sends a command audited as api:<by>, and lists it in the audit log', async () => {
    const { id } = (await call('POST', '/api/commands', { body: { target: 'pump-1', action: 'slow-down', args: { speedRpm: 800 }, by: 'alice', reason: 'every-endpoint test' } })) as { id: string };
    expect(await call('GET', '/api/audit', { query: '?actor=api:alice' })).toEqual({
      items: [expect.objectContaining({ actor: 'api:alice', target: 'pump-1', action: 'slow-down', commandId: id, reason: 'every-endpoint test', outcome: 'sent' })],
    });
  });

  it('trains a model on the published windows, stages it, and starts a rollout that stays running without a gateway reply', async () => {
    const trained = (await call('POST', '/api/models', { body: { sensor: 'accel', fromMs: T0, toMs: T0 + WINDOWS * 1000 } })) as { version: string; keyId: string; trainedOn: string; manifest: { stats: { windows: number } } };
    expect(trained).toMatchObject({ version: '1.0.0', keyId: 'test-key', manifest: { stats: { windows: DEVICES.length * WINDOWS } } });
    expect(trained.trainedOn).toMatch(/^90 healthy windows of pump-1, pump-2 \/ accel/);
    expect(await call('GET', '/api/models')).toEqual({ items: [expect.objectContaining({ version: '1.0.0' })] });
    expect(await call('GET', '/api/models/{version}', { fill: { version: '1.0.0' } })).toMatchObject({ version: '1.0.0', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String) });
    const staged = (await call('POST', '/api/models/{version}/stage', { fill: { version: '1.0.0' }, body: { gateway: 'gw-1', by: 'alice' } })) as { id: string };
    expect((await storage.auditLog({ target: 'gw-1', actor: 'api:alice' })).items.map((e) => [e.action, e.commandId])).toEqual([['model.stage', staged.id]]);

    const started = await call('POST', '/api/rollouts', { body: { id: 'r1', version: '1.0.0', groups: [{ name: 'canary' }] } });
    expect(started).toMatchObject({ id: 'r1', state: 'running', group: 1, gateways: [{ gateway: 'gw-1', phase: 'staging' }] });
    expect(await call('GET', '/api/rollouts')).toEqual({ items: [expect.objectContaining({ id: 'r1', state: 'running' })] });
    expect(await call('GET', '/api/rollouts/{id}', { fill: { id: 'r1' } })).toMatchObject({ id: 'r1', state: 'running' });
    expect(await call('POST', '/api/rollouts/{id}/resume', { fill: { id: 'r1' } })).toMatchObject({ id: 'r1', state: 'running' });
    expect(await call('POST', '/api/rollouts/{id}/cancel', { fill: { id: 'r1' }, body: { by: 'alice', reason: 'test over' } })).toMatchObject({ state: 'cancelled', reason: 'test over (api:alice)' });
  });

  it('called exactly the operations the document lists, which are exactly the ones the API serves', () => {
    const documented = Object.entries(document.paths).flatMap(([template, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${template}`));
    expect([...called].sort()).toEqual(documented.sort());
    // A handler put on the router some other way than defineRoute would be served without being documented.
    const served = router.stack.flatMap((layer) => {
      const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
      if (!route) return [`a middleware: ${layer.name}`];
      return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    });
    expect(served.sort()).toEqual(documented.sort());
  });
});
