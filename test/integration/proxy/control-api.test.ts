import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../../../sim/index';
import { startControlApi, type ProxyView } from '../../../sim/proxy/index';
import { cleanupList, collect, mqttClient, proxyTo, until } from './support';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

async function setup() {
  const broker = await startBroker();
  cleanups.add(() => broker.close());
  const proxy = await proxyTo(broker.port, { name: 'edge-uplink' });
  cleanups.add(() => proxy.close());
  const api = await startControlApi({ proxies: [proxy] });
  cleanups.add(() => api.close());
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { broker, proxy, api, call };
}

describe('the proxy control API', () => {
  it('listens on 127.0.0.1 and lists proxies by name with their addresses, impairments and counters', async () => {
    const { proxy, api, call, broker } = await setup();
    expect(api.host).toBe('127.0.0.1');
    const { status, body } = await call('GET', '/proxies');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['edge-uplink']);
    const view = body['edge-uplink'] as ProxyView;
    expect(view).toMatchObject({ name: 'edge-uplink', listen: proxy.url, upstream: `127.0.0.1:${broker.port}`, connections: [] });
    expect(view.impairment.up).toMatchObject({ latencyMs: 0, loss: 0, partition: false });
    expect(view.counters.up).toMatchObject({ packets: 0, publishes: 0, dropped: { loss: 0, queueFull: 0 } });
  });

  it('changes an impairment at run time and reports what it did in the counters', async () => {
    const { proxy, broker, call } = await setup();
    const subscriber = await mqttClient(broker.url);
    cleanups.add(() => subscriber.endAsync(true));
    const seen = await collect(subscriber, 'api/t');
    const publisher = await mqttClient(proxy.url, { clientId: 'api-pub' });
    cleanups.add(() => publisher.endAsync(true));

    const set = await call('POST', '/proxies/edge-uplink/impairment', { direction: 'up', loss: 1 });
    expect(set.status).toBe(200);
    expect((set.body as unknown as ProxyView).impairment).toMatchObject({ up: { loss: 1 }, down: { loss: 0 } });
    for (let i = 0; i < 5; i++) publisher.publish('api/t', `lost-${i}`, { qos: 0 });
    // Dropped when judged, so never sent later: the message after DELETE, on the same topic from the same client, is
    // the first the subscriber gets.
    await until(() => proxy.counters().up.dropped.loss === 5, 'five drops');

    const one = (await call('GET', '/proxies/edge-uplink')).body as unknown as ProxyView;
    expect(one.counters.up).toMatchObject({ publishes: 5, dropped: { loss: 5 }, forwarded: 0 });
    expect(one.counters.up.link).toMatchObject({ seen: 5, dropped: { loss: 5 } });
    expect(one.connections).toEqual([expect.objectContaining({ clientId: 'api-pub', protocolVersion: 4 })]);

    const cleared = await call('DELETE', '/proxies/edge-uplink/impairment');
    expect(cleared.status).toBe(200);
    expect((cleared.body as unknown as ProxyView).impairment.up.loss).toBe(0);
    publisher.publish('api/t', 'through', { qos: 0 });
    await until(() => seen.some((m) => m.text === 'through'), 'the message after DELETE');
    expect(seen.map((m) => m.text)).toEqual(['through']);
  });

  it('answers 400 naming every wrong field, and leaves the impairment as it was', async () => {
    const { proxy, call } = await setup();
    const { status, body } = await call('POST', '/proxies/edge-uplink/impairment', { direction: 'sideways', loss: 2, jitter: { dist: 'normal' }, latncyMs: 5 });
    expect(status).toBe(400);
    const fields = (body.issues as Array<{ field: string }>).map((i) => i.field).sort();
    expect(fields).toEqual(['direction', 'jitter.sdMs', 'latncyMs', 'loss']);
    expect(body.error).toMatch(/latncyMs: unknown field \(did you mean "latencyMs"\?\)/);
    expect(body.error).toMatch(/^invalid impairment: /);
    expect(proxy.impairments().up.loss).toBe(0);

  });

  it('resets connections on POST /reset, and the client reconnects through the proxy', async () => {
    const { proxy, call } = await setup();
    const client = await mqttClient(proxy.url);
    cleanups.add(() => client.endAsync(true));
    const reconnected = new Promise<void>((resolve) => client.once('close', () => client.once('connect', () => resolve())));
    const { status, body } = await call('POST', '/proxies/edge-uplink/reset');
    expect(status).toBe(200);
    expect(body).toEqual({ reset: 1 });
    await reconnected;
    expect(proxy.counters().connections).toMatchObject({ accepted: 2, reset: 1 });
  });

  it('answers 404 for an unknown proxy or route, 405 for a wrong method and 400 for a body that is not JSON', async () => {
    const { api, call } = await setup();
    const unknown = await call('GET', '/proxies/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no proxy named "nope"; known: edge-uplink/);
    expect((await call('GET', '/toxics')).status).toBe(404);
    const wrongMethod = await call('GET', '/proxies/edge-uplink/reset');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error).toMatch(/use POST/);
    const response = await fetch(`${api.url}/proxies/edge-uplink/impairment`, { method: 'POST', body: '{"direction":' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^body is not JSON/);
  });
});
