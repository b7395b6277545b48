import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandV1 } from '../../../../protocol';
import { CLOUD_API_INFO, CLOUD_MOUNT_OPTIONS, cloudRoutes, openApiDocument, type Route } from '../../../../cloud/api';
import { DeviceRegistry, type ThingDescription } from '../../../../cloud/registry';
import { MemoryRegistryStore } from '../registry/memory-registry-store';
import { ALERT, NOW, RECORDS, seededFakeCloud, T0, type FakeCloud } from './fake-cloud';
import { serveRoutes, type ServedRoutes } from './serve-routes';

const SITE = 'plant-a';

describe('cloud REST API, every answer checked against its documented schema', () => {
  let served: ServedRoutes;
  let cloud: FakeCloud;
  let routes: Route[];
  const sent: { site: string; command: CommandV1; by: string }[] = [];

  beforeAll(async () => {
    const registry = new DeviceRegistry({ store: new MemoryRegistryStore(), send: (site, command, by) => void sent.push({ site, command, by }) });
    await registry.onStatus(SITE, { type: 'status', v: 1, device: 'gw-1', tsMs: T0, state: 'online', counters: { received: 12 } }, false);
    await registry.onReading(SITE, 'pump-1', 'accel', T0 + 160, 'gw-1', { rms: 0.4, peak: 0.3, crest: 3 }, 'g');
    await registry.onReading(SITE, 'pump-1', 'winding-temp', T0 + 160, 'gw-1', { rms: 64, peak: 61, crest: 1 }, 'degC');
    cloud = await seededFakeCloud({ registry });
    routes = cloudRoutes(cloud, { registry, clock: { now: () => NOW }, brokerUrl: 'mqtt://127.0.0.1:1883' });
    served = await serveRoutes(routes, { ...CLOUD_MOUNT_OPTIONS, checkResponses: true });
  });
  afterAll(async () => {
    await served?.close();
    await cloud?.close();
  });

  it('serves the routes of today with their answers unchanged', async () => {
    expect(await served.request('GET', '/api/devices')).toMatchObject({ status: 200, body: [{ device: 'pump-1', readings: 10 }] });
    expect(await served.request('GET', '/api/devices/pump-1/latest')).toMatchObject({ status: 200, body: { device: 'pump-1', sensors: { accel: RECORDS[8], 'winding-temp': RECORDS[9] } } });
    expect(await served.request('GET', '/api/devices/pump-7/latest')).toMatchObject({ status: 404, body: { error: 'no readings stored for device "pump-7"' } });
    expect(await served.request('GET', `/api/series?device=pump-1&sensor=accel&from=${T0 + 40}&to=${T0 + 120}&limit=2`)).toMatchObject({
      status: 200,
      body: [RECORDS[4], RECORDS[6]],
    });
    expect(await served.request('GET', '/api/alerts?device=pump-1')).toMatchObject({ status: 200, body: [ALERT] });
    expect(await served.request('GET', '/api/stats')).toMatchObject({ status: 200, body: { received: 10, storage: { features: 10, alerts: 1 } } });
  });

  it('serves the latest window of one sensor, which the Thing Description reads the sensor property from', async () => {
    expect(await served.request('GET', '/api/devices/pump-1/latest/winding-temp')).toMatchObject({ status: 200, body: RECORDS[9] });
    expect(await served.request('GET', '/api/devices/pump-1/latest/bearing-temp')).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^no readings stored for pump-1\/bearing-temp/) } });
  });

  it('serves its own OpenAPI document at /api/openapi.json', async () => {
    const answer = await served.request('GET', '/api/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body).toEqual(openApiDocument(routes, CLOUD_API_INFO));
  });

  it('lists the registry and serves shadows, 404 for a device it never heard from', async () => {
    const registry = await served.request('GET', '/api/registry');
    expect((registry.body as { id: string; online: boolean }[]).map((e) => `${e.id} ${e.online}`)).toEqual(['gw-1 true', 'pump-1 true']);
    expect(await served.request('GET', '/api/devices/gw-1/shadow')).toMatchObject({ status: 200, body: { reported: { state: 'online', counters: { received: 12 } }, delta: {} } });
    expect(await served.request('GET', '/api/devices/pump-9/shadow')).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^no device or gateway "pump-9"/) } });
  });

  it('changes desired state with a version check, sending the commands at the clock time, and says which field is wrong', async () => {
    const { body: before } = await served.request('GET', '/api/devices/pump-1/shadow');
    const version = (before as { version: number }).version;
    const changed = await served.request('PATCH', '/api/devices/pump-1/shadow/desired', { desired: { speedRpm: 900 }, version });
    expect(changed).toMatchObject({ status: 200, body: { shadow: { desired: { speedRpm: 900 }, delta: { speedRpm: 900 }, version: version + 1, desiredMs: NOW } } });
    expect(sent.map(({ site, command, by }) => `${site} ${command.device} ${command.action} ${JSON.stringify(command.args)} ${command.tsMs} ${by}`)).toEqual([
      `${SITE} pump-1 shadow.desired {"speedRpm":900} ${NOW} api:anonymous`,
      `${SITE} pump-1 slow-down {"speedRpm":900} ${NOW} api:anonymous`,
    ]);

    const stale = await served.request('PATCH', '/api/devices/pump-1/shadow/desired', { desired: { speedRpm: 800 }, version });
    expect(stale).toMatchObject({ status: 409, body: { error: `the shadow of pump-1 is at version ${version + 1}, not ${version}: it changed since you read it; read it again and re-apply your change` } });
    expect(await served.request('PATCH', '/api/devices/pump-1/shadow/desired', { desired: 'fast' })).toMatchObject({
      status: 400,
      body: { error: 'desired: Invalid input: expected record, received string' },
    });
    expect(await served.request('PATCH', '/api/devices/pump-1/shadow/desired', { desired: { speedRpm: -1 } })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^desired\.speedRpm: /) },
    });
    expect(await served.request('PATCH', '/api/devices/pump-9/shadow/desired', { desired: {} })).toMatchObject({ status: 404 });
    expect(sent).toHaveLength(2);
  });

  it('serves Thing Descriptions as application/td+json whose HTTP forms are routes it serves', async () => {
    const answer = await served.request('GET', '/api/devices/pump-1/td');
    expect(answer).toMatchObject({ status: 200, contentType: 'application/td+json; charset=utf-8', body: { id: 'urn:twinbed:plant-a:pump-1', title: 'pump-1' } });
    const td = answer.body as ThingDescription;
    expect(Object.keys(td.actions)).toEqual(['slow-down', 'stop', 'resume']);
    const hrefs = Object.values(td.properties)
      .flatMap((p) => p.forms)
      .filter((f) => f['htv:methodName'] === 'GET')
      .map((f) => f.href);
    expect(hrefs).toEqual([`${served.url}/api/devices/pump-1/latest/accel`, `${served.url}/api/devices/pump-1/latest/winding-temp`, `${served.url}/api/devices/pump-1/shadow`]);
    for (const href of hrefs) expect((await served.request('GET', href)).status, href).toBe(200);
    expect(await served.request('GET', '/api/devices/pump-9/td')).toMatchObject({ status: 404 });
  });
});
