import { request, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../../cloud';
import { encodeMessage, topics, type FeaturesV2 } from '../../../protocol';
import { startBroker, VirtualClock, type EmbeddedBroker } from '../../../sim';
import { startWebServer, type LiveReading, type LiveSnapshot, type WebServer } from '../../../web';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function window(device: string, seq: number, extra: Record<string, number> = {}): { topic: string; payload: Uint8Array } {
  const message: FeaturesV2 = {
    type: 'features',
    v: 2,
    device,
    sensor: 'accel',
    seq,
    tsMs: T0 + seq * 1000,
    windowMs: 1000,
    unit: 'g',
    features: { rms: 0.01 * (seq % 10), peak: 0.03, crest: 3, ...extra },
    model: { version: '1.0.0', score: 0.5, threshold: 2 },
  };
  return { topic: topics.features('plant', device, 'accel'), payload: encodeMessage(message) };
}

/** An SSE client that records every event in order, and can stop reading its socket. */
function listen(url: string): Promise<{ events: { event: string; data: unknown }[]; response: IncomingMessage; close(): void }> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = request(url, (response) => {
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          events.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
        }
      });
      resolve({ events, response, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the page stream', () => {
  let broker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let web: WebServer;

  beforeEach(async () => {
    broker = await startBroker();
    storage = new SqliteStorage();
    cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new VirtualClock(T0) });
    web = await startWebServer({ cloud, port: 0, live: { overviewHz: 20, focusHz: 25 } });
  });

  afterEach(async () => {
    await web?.close();
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
  });

  it('sends the snapshot of what is stored first, then the latest reading of each device sensor once per update', async () => {
    for (let seq = 0; seq < 3; seq++) cloud.accept(window('pump-1', seq).topic, window('pump-1', seq).payload);
    await cloud.idle();
    const client = await listen(`${web.url}api/stream`);
    await expect.poll(() => client.events.length).toBeGreaterThan(0);
    const snapshot = client.events[0]!;
    expect(snapshot.event).toBe('snapshot');
    expect((snapshot.data as LiveSnapshot).readings.map((r) => [r.device, r.seq, r.features.rms])).toEqual([['pump-1', 2, 0.02]]);

    // 50 windows of one stream in one turn: the next update carries only the newest of them.
    for (let seq = 3; seq < 53; seq++) cloud.accept(window('pump-1', seq).topic, window('pump-1', seq).payload);
    cloud.accept(window('fan-1', 0).topic, window('fan-1', 0).payload);
    await cloud.idle();
    await expect.poll(() => client.events.filter((e) => e.event === 'readings').flatMap((e) => e.data as LiveReading[]).some((r) => r.device === 'pump-1' && r.seq === 52)).toBe(true);
    const updates = client.events.filter((e) => e.event === 'readings').map((e) => (e.data as LiveReading[]).map((r) => `${r.device}#${r.seq}`));
    expect(updates.flat()).toEqual(expect.arrayContaining(['pump-1#52', 'fan-1#0']));
    // Live readings carry the edge model's score, for the machine's colour and its panel.
    expect(client.events.filter((e) => e.event === 'readings').flatMap((e) => e.data as LiveReading[])[0]!.score).toEqual({ value: 0.5, threshold: 2 });
    expect(updates.flat().length).toBeLessThan(10);
    expect(web.liveStats.readingsIn).toBe(54);
    client.close();
  });

  it('streams every reading of the focused device in order, and no other device, for its panel', async () => {
    const client = await listen(`${web.url}api/stream?focus=pump-1`);
    await expect.poll(() => client.events.some((e) => e.event === 'snapshot')).toBe(true);
    for (let seq = 0; seq < 120; seq++) {
      for (const device of ['pump-1', 'pump-2']) cloud.accept(window(device, seq).topic, window(device, seq).payload);
      if (seq % 20 === 19) await cloud.idle();
    }
    await cloud.idle();
    const focused = () => client.events.filter((e) => e.event === 'focus').flatMap((e) => e.data as LiveReading[]);
    await expect.poll(() => focused().length).toBe(120);
    expect(focused().map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(new Set(focused().map((r) => r.device))).toEqual(new Set(['pump-1']));
    client.close();
  });

  it('skips updates to a browser that stops reading instead of queueing them, while ingest goes on', async () => {
    const slow = await listen(`${web.url}api/stream`);
    await expect.poll(() => slow.events.some((e) => e.event === 'snapshot')).toBe(true);
    slow.response.pause();
    // Thousands of distinct streams with wide feature maps: each update is large, so the socket fills in a few.
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`band-${i}`, i / 7]));
    let seq = 0;
    await expect
      .poll(
        async () => {
          for (let d = 0; d < 2000; d++) cloud.accept(window(`pump-${d}`, seq, wide).topic, window(`pump-${d}`, seq, wide).payload);
          seq++;
          await cloud.idle();
          return web.liveStats.skippedFlushes;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBeGreaterThan(0);
    expect(cloud.stats().stored).toBe(2000 * seq);
    slow.close();
  });
});
