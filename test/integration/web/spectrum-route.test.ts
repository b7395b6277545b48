import { createServer } from 'node:http';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../../cloud';
import { encodeRawBlock, nodeGzip } from '../../../gateway';
import { bearingOrders, decodeMessage, encodeMessage, topics, type CommandV1, type FeaturesV2, type TelemetryV1 } from '../../../protocol';
import { connectMqtt, listen, startBroker, VirtualClock, type EmbeddedBroker, type MqttClient } from '../../../sim';
import { startWebServer, type DemoControls, type SiteLayout, type WebServer } from '../../../web';
import { defectMarkers, type SpectrumAnswer, type SpectrumReady } from '../../../web/client/spectrum-answer';
import { REFRESH_MS, REQUEST_EVERY_MS, spectrumRoutes } from '../../../web/spectrum-routes';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const RATE = 25_600;
const BLOCK = 1024;
const BLOCK_MS = (BLOCK / RATE) * 1000;
const ORDERS = bearingOrders({ balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 });
const SHAFT_HZ = 24.5;
const FM = ORDERS.bpfo * SHAFT_HZ;

const SITE: SiteLayout = {
  site: 'plant',
  machines: [
    { device: 'pump-1', kind: 'pump', speedRpm: 1480, sensors: ['accel', 'winding-temp'], bearingOrders: ORDERS, resonanceHz: 3500 },
    { device: 'pump-2', kind: 'pump', speedRpm: 1480, sensors: ['accel'], bearingOrders: ORDERS, resonanceHz: 3500 },
  ],
};

/** What the page's controls would do; the spectrum route only needs to know the stack is live. */
const CONTROLS: DemoControls = {
  fault: () => Promise.reject(new Error('not in this test')),
  operate: () => Promise.reject(new Error('not in this test')),
  impair: () => Promise.resolve(),
  links: () => [],
  pace: () => undefined,
  saved: () => ({ steps: [], links: [] }),
  scenario: () => ({}),
};

/** A 1× line of 0.5 g at 24.5 Hz, and the housing resonance at 3.5 kHz ringing 1.2 g, modulated 50 % at BPFO. */
const vibration = (tS: number) => 0.5 * Math.sin(2 * Math.PI * SHAFT_HZ * tS) + 1.2 * (1 + 0.5 * Math.cos(2 * Math.PI * FM * tS)) * Math.cos(2 * Math.PI * 3500 * tS);

function rawBlock(device: string, seq: number, startMs: number): { topic: string; payload: Uint8Array } {
  const values = Array.from({ length: BLOCK }, (_, i) => vibration((seq * BLOCK + i) / RATE));
  const telemetry = { type: 'telemetry', v: 1, device, sensor: 'accel', seq, tsMs: startMs + seq * BLOCK_MS, rateHz: RATE, unit: 'g', values } as TelemetryV1;
  return { topic: topics.raw('plant', device, 'accel'), payload: encodeMessage(encodeRawBlock(telemetry, 'delta-f32-gzip', nodeGzip), 'cbor') };
}

/** A window through gateway gw-1: the registry learns which gateway to ask for the device's raw data. */
function featuresWindow(device: string, features: FeaturesV2['features']): { topic: string; payload: Uint8Array } {
  const message: FeaturesV2 = { type: 'features', v: 2, device, sensor: 'accel', seq: 0, tsMs: T0 - 2000, windowMs: 1000, unit: 'g', features, gateway: 'gw-1' };
  return { topic: topics.features('plant', device, 'accel'), payload: encodeMessage(message, 'cbor') };
}

const peak = (series: { hz: number[]; amplitude: number[] }, fromHz: number, toHz: number) =>
  series.hz.reduce((best, hz, i) => (hz >= fromHz && hz <= toHz && series.amplitude[i]! > best.amplitude ? { hz, amplitude: series.amplitude[i]! } : best), { hz: 0, amplitude: -Infinity });

describe('GET /api/spectrum', () => {
  let broker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let web: WebServer;
  let gateway: MqttClient;
  const commands: CommandV1[] = [];

  const get = async (query: string) => {
    const res = await fetch(`${web.url}api/spectrum?${query}`);
    return { status: res.status, body: (await res.json()) as SpectrumAnswer & { error?: string } };
  };
  const sent = async () => (await storage.auditLog({ target: 'gw-1' })).items.filter((e) => e.action === 'raw.request' && e.outcome === 'sent');

  beforeEach(async () => {
    commands.length = 0;
    broker = await startBroker();
    storage = new SqliteStorage();
    cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new VirtualClock(T0) });
    web = await startWebServer({ cloud, port: 0, site: SITE, controls: CONTROLS });
    // The gateway's side of the wire: what the cloud asks of gw-1 arrives on its cmd topic.
    gateway = await connectMqtt(broker.url, { clientId: 'gw-1-test' });
    gateway.on('message', (_topic, payload) => commands.push(decodeMessage(payload) as CommandV1));
    await gateway.subscribeAsync(topics.cmd('plant', 'gw-1'), { qos: 1 });
    for (const device of ['pump-1', 'pump-2']) {
      const { topic, payload } = featuresWindow(device, { rms: 0.9, peak: 2.5, crest: 2.8, shaftHz: SHAFT_HZ });
      cloud.accept(topic, payload);
    }
    await cloud.idle();
  });

  afterEach(async () => {
    await gateway?.endAsync();
    await web?.close();
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
  });

  it('answers the spectrum and envelope spectrum of the newest raw blocks: the 1× line, and BPFO in the envelope', async () => {
    // 40 blocks over the 1.6 s before now; the newest 32 (32 768 samples) are analysed.
    const startMs = T0 - 40 * BLOCK_MS;
    for (let seq = 0; seq < 40; seq++) {
      const { topic, payload } = rawBlock('pump-1', seq, startMs);
      cloud.accept(topic, payload);
    }
    await cloud.idle();
    const { status, body } = await get('device=pump-1&sensor=accel');
    expect(status).toBe(200);
    const ready = body as SpectrumReady;
    expect(ready).toMatchObject({ pending: false, found: true, device: 'pump-1', sensor: 'accel', unit: 'g', rateHz: RATE, blocks: 32, samples: 32_768, fftSize: 32_768, shaftHz: SHAFT_HZ, shaftSource: 'features', bearingOrders: ORDERS });
    expect(ready.tsMs).toBe(startMs + 39 * BLOCK_MS);
    expect(ready.fromMs).toBe(startMs + 8 * BLOCK_MS);
    expect(ready.spectrum.hz.length).toBeLessThanOrEqual(1024);
    expect(ready.envelope.hz.length).toBeLessThanOrEqual(1024);
    // The 1× line reads its 0.5 g within a bin (less at most Hann's scalloping), on the spectrum's 0.78 Hz bins.
    const shaftLine = peak(ready.spectrum, 5, 1000);
    expect(ready.spectrum.binHz).toBe(RATE / 32_768);
    expect(Math.abs(shaftLine.hz - SHAFT_HZ)).toBeLessThanOrEqual(ready.spectrum.binHz);
    expect(shaftLine.amplitude).toBeGreaterThan(0.5 * 0.85);
    expect(shaftLine.amplitude).toBeLessThanOrEqual(0.5 * 1.01);
    // The resonance rings in the spectrum; the envelope of its band has its largest line at the BPFO marker, 0.6 g.
    expect(peak(ready.spectrum, 1000, RATE / 2).hz).toBeCloseTo(3500, -1);
    expect(ready.envelope.bandHz[0]).toBeGreaterThanOrEqual(2500);
    expect(ready.envelope.bandHz[1]).toBeLessThanOrEqual(4500);
    const bpfo = defectMarkers(ready.shaftHz, ready.bearingOrders).find((m) => m.label === 'BPFO')!;
    const envelopeLine = peak(ready.envelope, 2, ready.envelope.hz.at(-1)!);
    expect(Math.abs(envelopeLine.hz - bpfo.hz)).toBeLessThanOrEqual(ready.envelope.binHz);
    expect(envelopeLine.amplitude).toBeGreaterThan(0.6 * 0.85);
    expect(envelopeLine.amplitude).toBeLessThanOrEqual(0.6 * 1.01);
    // A page showing the data asked for none.
    expect(await sent()).toEqual([]);

    // An instant before the first block has none to show, and a past instant is never asked for.
    const before = await get(`device=pump-1&sensor=accel&at=${startMs - 1}`);
    expect(before.body).toMatchObject({ pending: false, found: false });
    expect(await sent()).toEqual([]);
  });

  it('without a recent raw block, sends the device\'s gateway one raw.request however often the page polls, and answers pending', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await get('device=pump-2&sensor=accel')).body);
    expect(answers.every((a) => a.pending)).toBe(true);
    expect(answers[0]).toMatchObject({ pending: true, requestId: expect.any(String) });
    expect(answers.slice(1).some((a) => 'requestId' in a)).toBe(false);
    // On the wire, to the gateway the registry knows for pump-2, and in the audit log: exactly one.
    await expect.poll(() => commands.length).toBeGreaterThan(0);
    expect(commands[0]).toMatchObject({ type: 'cmd', device: 'gw-1', action: 'raw.request', args: { device: 'pump-2', sensor: 'accel', seconds: 2 }, id: (answers[0] as { requestId: string }).requestId });
    const audited = await sent();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor: 'web:spectrum', target: 'gw-1', commandId: (answers[0] as { requestId: string }).requestId });

    // Once the gateway answers with raw blocks, the same poll gets the spectrum.
    for (let seq = 0; seq < 8; seq++) {
      const { topic, payload } = rawBlock('pump-2', seq, T0 - 8 * BLOCK_MS);
      cloud.accept(topic, payload);
    }
    await cloud.idle();
    expect((await get('device=pump-2&sensor=accel')).body).toMatchObject({ pending: false, found: true, blocks: 8, samples: 8192 });
    expect(commands).toHaveLength(1);
    expect(await sent()).toHaveLength(1);
  });

  it('shows a waveform older than REFRESH_MS and asks once for a newer one, so an open panel keeps up', async () => {
    const startMs = T0 - REFRESH_MS - 8 * BLOCK_MS - 1;
    for (let seq = 0; seq < 8; seq++) {
      const { topic, payload } = rawBlock('pump-1', seq, startMs);
      cloud.accept(topic, payload);
    }
    await cloud.idle();
    const first = (await get('device=pump-1&sensor=accel')).body;
    expect(first).toMatchObject({ pending: false, found: true, blocks: 8, requestId: expect.any(String) });
    expect((await get('device=pump-1&sensor=accel')).body).not.toHaveProperty('requestId');
    const audited = await sent();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ args: { device: 'pump-1', sensor: 'accel', seconds: 2 }, commandId: (first as SpectrumReady).requestId });
  });

  it('asks again only after REQUEST_EVERY_MS of wall time, per device sensor', async () => {
    let wallMs = 0;
    const app = express();
    app.use(spectrumRoutes(cloud, { site: SITE, requestRaw: true, wallMs: () => wallMs }));
    const server = createServer(app);
    const { port } = await listen(server, 0, '127.0.0.1');
    try {
      const poll = async () => (await (await fetch(`http://127.0.0.1:${port}/api/spectrum?device=pump-2&sensor=accel`)).json()) as SpectrumAnswer;
      expect(await poll()).toMatchObject({ pending: true, requestId: expect.any(String) });
      wallMs = REQUEST_EVERY_MS - 1;
      expect(await poll()).not.toHaveProperty('requestId');
      wallMs = REQUEST_EVERY_MS;
      expect(await poll()).toMatchObject({ pending: true, requestId: expect.any(String) });
      expect(await sent()).toHaveLength(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says which device or sensor it does not know (404) and which query field is wrong (400)', async () => {
    expect(await get('device=pump-9&sensor=accel')).toEqual({ status: 404, body: { error: 'no device "pump-9" in the hall or the registry; GET /api/registry lists the known ones' } });
    expect(await get('device=pump-1&sensor=flux')).toEqual({ status: 404, body: { error: 'device "pump-1" has no sensor "flux"; its sensors: accel, winding-temp' } });
    const missing = await get('device=pump-1');
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/^sensor: /);
    expect((await get('device=pump-1&sensor=accel&at=soon')).body.error).toMatch(/^at: /);
    expect(await sent()).toEqual([]);
  });

  it('never asks for raw data in a replay: no gateway answers there', async () => {
    const replay = await startWebServer({ cloud, port: 0, site: SITE, replay: true });
    try {
      const body = (await (await fetch(`${replay.url}api/spectrum?device=pump-2&sensor=accel`)).json()) as SpectrumAnswer;
      expect(body).toMatchObject({ pending: false, found: false });
      expect(await sent()).toEqual([]);
    } finally {
      await replay.close();
    }
  });
});
