import { request as coapRequest } from 'coap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { Gateway, GatewayConfigSchema, jsonBatch } from '../../gateway';
import { encodeMessage, type TelemetryV1 } from '../../protocol';
import { ScaledRealClock, startBroker, type EmbeddedBroker } from '../../sim';
import { waitUntil } from '../support/twinbed-process';

const reading = (device: string, seq: number): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device,
  sensor: 'accel',
  seq,
  tsMs: 1_767_225_600_000 + seq * 40,
  rateHz: 1000,
  unit: 'g',
  values: [0.5, -0.5, 0.5, -0.5],
});

/** POSTs a CoAP confirmable request and resolves with the response code and payload. */
function coapPost(url: string, payload: Uint8Array): Promise<{ code: string; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = coapRequest({ hostname: u.hostname, port: Number(u.port), pathname: u.pathname, query: u.search.slice(1), method: 'POST', confirmable: true });
    req.on('response', (res: { code: string; payload: Buffer }) => resolve({ code: res.code, text: res.payload.toString() }));
    req.on('error', reject);
    req.end(Buffer.from(payload));
  });
}

describe('HTTP and CoAP ingestion at the gateway, with the same device credentials', () => {
  let broker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let gateway: Gateway;
  const secrets: Record<string, string> = { 'pump-1': 's3cret-1', 'pump-2': 's3cret-2' };

  beforeAll(async () => {
    const clock = new ScaledRealClock();
    broker = await startBroker();
    storage = new SqliteStorage();
    cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock });
    gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({
        site: 'plant-h',
        devices: { listen: { port: 0 } },
        upstream: { url: broker.url },
        http: { listen: { port: 0 } },
        coap: { listen: { port: 0 } },
        // A record per block: these tests send 4-sample blocks and look at each one's features.
        pipelines: [{ sensors: ['*'], window: { blocks: 1 } }],
      }),
      clock,
      authenticate: async (device, secret) => secrets[device] === secret,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
  });

  const post = (body: string, device = 'pump-1', secret = secrets[device]!) =>
    fetch(gateway.httpUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${device}:${secret}`).toString('base64')}` },
      body,
    });

  it('accepts a JSON batch over HTTP, stores each reading once and dead-letters the bad one with its reason', async () => {
    const body = jsonBatch([reading('pump-1', 0), reading('pump-1', 1)]).replace(/]$/, ',{"type":"telemetry","v":1}]');
    const response = await post(body);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([{ index: 2, reason: expect.stringMatching(/^device: /) }]);
    expect(await waitUntil(() => cloud.stats().stored === 2, 5000)).toBe(true);
    expect((await storage.sequences()).find((s) => s.device === 'pump-1')).toMatchObject({ count: 2, minSeq: 0, maxSeq: 1 });
  });

  it('refuses wrong credentials with 401 and an envelope for another device with the reason', async () => {
    const wrong = await post(jsonBatch([reading('pump-1', 5)]), 'pump-1', 'guess');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="twinbed"');
    const spoofed = await post(jsonBatch([reading('pump-2', 0)]));
    expect(spoofed.status).toBe(400);
    expect(await spoofed.json()).toEqual({
      accepted: 0,
      rejected: [{ index: 0, reason: 'device: authenticated as pump-1 over http but the envelope names pump-2' }],
    });
  });

  it('accepts a CBOR envelope over CoAP (2.04) and refuses bad credentials (4.01)', async () => {
    const ok = await coapPost(`${gateway.coapUrl!}?id=pump-2&secret=${secrets['pump-2']}`, encodeMessage(reading('pump-2', 7), 'cbor'));
    expect(ok.code).toBe('2.04');
    expect(await waitUntil(async () => (await storage.sequences()).some((s) => s.device === 'pump-2' && s.maxSeq === 7), 5000)).toBe(true);
    const denied = await coapPost(`${gateway.coapUrl!}?id=pump-2&secret=nope`, encodeMessage(reading('pump-2', 8), 'cbor'));
    expect(denied.code).toBe('4.01');
    const bad = await coapPost(`${gateway.coapUrl!}?id=pump-2&secret=${secrets['pump-2']}`, Buffer.from('not an envelope'));
    expect(bad).toEqual({ code: '4.00', text: expect.stringMatching(/CBOR|expected an object/) });
  });
});
