import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MOUNT_OPTIONS, cloudRoutes } from '../../../../cloud/api';
import type { AuditEntry } from '../../../../cloud/index';
import { fakeCloud, NOW, T0, type FakeCloud } from './fake-cloud';
import { serveRoutes, type ServedRoutes } from './serve-routes';

describe('commands and the audit log over the REST API', () => {
  let cloud: FakeCloud;
  let served: ServedRoutes;
  const audit = async (query: string) => (await served.request('GET', `/api/audit${query}`)).body as { items: AuditEntry[]; next?: string };

  beforeAll(async () => {
    cloud = fakeCloud();
    await cloud.registry.onStatus('plant-a', { type: 'status', v: 1, device: 'gw-1', tsMs: T0, state: 'online' }, false);
    await cloud.registry.onReading('plant-a', 'pump-1', 'accel', T0 + 100, 'gw-1', { rms: 0.4, peak: 1.2, crest: 3 }, 'g');
    served = await serveRoutes(cloudRoutes(cloud), { ...CLOUD_MOUNT_OPTIONS, checkResponses: true });
  });
  afterAll(async () => {
    await served?.close();
    await cloud?.close();
  });

  it('sends a command to the target\'s site, audited as api:<by> with its reason, and answers 202 with its id', async () => {
    const answer = await served.request('POST', '/api/commands', { target: 'pump-1', action: 'slow-down', args: { speedRpm: 900 }, by: 'alice', reason: 'bearing running hot' });
    expect(answer).toMatchObject({ status: 202, body: { id: expect.stringMatching(/^fake-cloud-/) } });
    const { id } = answer.body as { id: string };
    expect(cloud.orders.at(-1)).toEqual({ site: 'plant-a', target: 'pump-1', action: 'slow-down', args: { speedRpm: 900 }, actor: 'api:alice', reason: 'bearing running hot' });
    expect(await audit('?actor=api:alice')).toEqual({
      items: [{ tsMs: NOW, actor: 'api:alice', target: 'pump-1', action: 'slow-down', args: { speedRpm: 900 }, commandId: id, reason: 'bearing running hot', outcome: 'sent' }],
    });
  });

  it('sends on the site given over the registry\'s, and names an anonymous sender api:anonymous', async () => {
    expect(await served.request('POST', '/api/commands', { target: 'gw-1', site: 'plant-b', action: 'raw.request', reason: 'look closer' })).toMatchObject({ status: 202 });
    expect(cloud.orders.at(-1)).toEqual({ site: 'plant-b', target: 'gw-1', action: 'raw.request', actor: 'api:anonymous', reason: 'look closer' });
    expect((await audit('?target=gw-1')).items.map((e) => `${e.actor} ${e.action}`)).toEqual(['api:anonymous raw.request']);
  });

  it('answers 404 for a target the registry never heard from, and sends nothing', async () => {
    const before = cloud.orders.length;
    expect(await served.request('POST', '/api/commands', { target: 'pump-9', site: 'plant-a', action: 'stop', reason: 'test' })).toMatchObject({
      status: 404,
      body: { error: 'no device or gateway "pump-9" in the registry; list the known ones with GET /api/registry' },
    });
    expect(cloud.orders).toHaveLength(before);
    expect((await audit('?target=pump-9')).items).toEqual([]);
  });

  it('answers 400 naming the field of a bad command, and sends nothing', async () => {
    const before = cloud.orders.length;
    const cases: [unknown, string | RegExp][] = [
      [{ target: 'pump-1', action: 'stop' }, /^reason: Invalid input: expected string/],
      [{ target: '-pump', action: 'stop', reason: 'r' }, 'target: use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit'],
      [{ target: 'pump-1', action: '', reason: 'r' }, 'action: Too small: expected string to have >=1 characters'],
      [{ target: 'pump-1', action: 'stop', reason: 'r', args: [1] }, /^args: Invalid input: expected record/],
      [{ target: 'pump-1', action: 'stop', reason: 'r', urgent: true }, 'urgent: unknown field'],
    ];
    for (const [body, error] of cases) {
      const answer = await served.request('POST', '/api/commands', body);
      expect({ body, status: answer.status, error: (answer.body as { error: string }).error }).toEqual({ body, status: 400, error: typeof error === 'string' ? error : expect.stringMatching(error) });
    }
    expect(cloud.orders).toHaveLength(before);
  });

  it('pages the audit log oldest first, filtered by time', async () => {
    await cloud.clock.runUntil(NOW + 1000);
    for (const speedRpm of [800, 700, 600]) {
      await served.request('POST', '/api/commands', { target: 'pump-1', action: 'slow-down', args: { speedRpm }, by: 'paging', reason: 'step down' });
    }
    const first = await audit('?actor=api:paging&limit=2');
    expect(first.items.map((e) => e.args?.speedRpm)).toEqual([800, 700]);
    expect(first.next).toEqual(expect.any(String));
    expect(await audit(`?actor=api:paging&limit=2&cursor=${first.next}`)).toEqual({ items: [expect.objectContaining({ args: { speedRpm: 600 } })] });
    expect((await audit(`?from=${NOW + 1}`)).items).toHaveLength(3);
    expect((await audit(`?to=${NOW}`)).items.map((e) => e.actor)).toEqual(['api:alice', 'api:anonymous']);
    expect(await served.request('GET', '/api/audit?to=tomorrow')).toMatchObject({ status: 400, body: { error: 'to: Invalid input: expected number, received NaN' } });
  });
});
