import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MOUNT_OPTIONS, cloudRoutes } from '../../../../cloud/api';
import type { AlertEntry } from '../../../../cloud/index';
import type { AlertChange } from '../../../../protocol';
import { fakeCloud, NOW, T0, type FakeCloud } from './fake-cloud';
import { serveRoutes, type ServedRoutes } from './serve-routes';

function raise(device: string, sensor: string, rule: string, tsMs: number): AlertChange {
  return { device, sensor, rule, state: 'raised', severity: 'warning', tsMs, value: 0.5, threshold: 0.2, message: `${device}/${sensor} ${rule}` };
}

describe('alert lifecycle over the REST API', () => {
  let cloud: FakeCloud;
  let served: ServedRoutes;
  /** Ids of the alerts raised before the tests, oldest first. */
  const ids: string[] = [];
  const entry = async (id: string) => (await served.request('GET', `/api/alert-entries/${id}`)).body as AlertEntry;

  beforeAll(async () => {
    cloud = fakeCloud();
    const changes = [
      raise('pump-1', 'accel', 'accel-rms-high', T0 + 1000),
      raise('pump-2', 'accel', 'accel-rms-high', T0 + 2000),
      raise('pump-1', 'winding-temp', 'winding-hot', T0 + 3000),
      raise('pump-3', 'accel', 'accel-rms-high', T0 + 4000),
      raise('pump-4', 'accel', 'accel-rms-high', T0 + 5000),
    ];
    for (const change of changes) ids.push((await cloud.book.apply(change, 'alert', 'cloud')).entry.id);
    served = await serveRoutes(cloudRoutes(cloud), { ...CLOUD_MOUNT_OPTIONS, checkResponses: true });
  });
  afterAll(async () => {
    await served?.close();
    await cloud?.close();
  });

  it('lists alerts newest raised first, filtered by device, rule and raise time, a page at a time', async () => {
    const first = await served.request('GET', '/api/alert-entries?limit=2');
    expect(first.status).toBe(200);
    const page1 = first.body as { items: AlertEntry[]; next?: string };
    expect(page1.items.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    const page2 = (await served.request('GET', `/api/alert-entries?limit=2&cursor=${page1.next}`)).body as { items: AlertEntry[]; next?: string };
    expect(page2.items.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const page3 = (await served.request('GET', `/api/alert-entries?limit=2&cursor=${page2.next}`)).body as { items: AlertEntry[]; next?: string };
    expect(page3).toEqual({ items: [expect.objectContaining({ id: ids[0] })] });

    const ofPump1 = (await served.request('GET', '/api/alert-entries?device=pump-1')).body as { items: AlertEntry[] };
    expect(ofPump1.items.map((e) => `${e.device}/${e.sensor} ${e.rule}`)).toEqual(['pump-1/winding-temp winding-hot', 'pump-1/accel accel-rms-high']);
    const hot = (await served.request('GET', '/api/alert-entries?rule=winding-hot')).body as { items: AlertEntry[] };
    expect(hot.items.map((e) => e.id)).toEqual([ids[2]]);
    const middle = (await served.request('GET', `/api/alert-entries?from=${T0 + 1500}&to=${T0 + 3500}`)).body as { items: AlertEntry[] };
    expect(middle.items.map((e) => e.id)).toEqual([ids[2], ids[1]]);
  });

  it('acknowledges, shelves and unshelves, recording api:<by>, the note and the cloud clock in the history', async () => {
    const acked = await served.request('POST', `/api/alert-entries/${ids[0]}/ack`, { by: 'alice', note: 'on my way' });
    expect(acked).toMatchObject({ status: 200, body: { id: ids[0], state: 'acknowledged', updatedMs: NOW } });
    expect((acked.body as AlertEntry).history).toEqual([
      { state: 'raised', tsMs: T0 + 1000, by: 'rule:accel-rms-high' },
      { state: 'acknowledged', tsMs: NOW, by: 'api:alice', note: 'on my way' },
    ]);

    const shelved = await served.request('POST', `/api/alert-entries/${ids[0]}/shelve`, { untilMs: NOW + 3_600_000 });
    expect(shelved).toMatchObject({ status: 200, body: { state: 'shelved', shelvedUntilMs: NOW + 3_600_000 } });
    expect((shelved.body as AlertEntry).history.at(-1)).toEqual({ state: 'shelved', tsMs: NOW, by: 'api:anonymous' });

    const unshelved = await served.request('POST', `/api/alert-entries/${ids[0]}/unshelve`, { by: 'bob' });
    expect(unshelved).toMatchObject({ status: 200, body: { state: 'acknowledged' } });
    expect((unshelved.body as AlertEntry).shelvedUntilMs).toBeUndefined();
    expect((unshelved.body as AlertEntry).history.map((h) => `${h.state} ${h.by}`)).toEqual([
      'raised rule:accel-rms-high',
      'acknowledged api:alice',
      'shelved api:anonymous',
      'acknowledged api:bob',
    ]);
    // What it answered is what the store now holds.
    expect(await entry(ids[0]!)).toEqual(unshelved.body);
  });

  it('acknowledges with no body at all, as api:anonymous', async () => {
    const acked = await served.request('POST', `/api/alert-entries/${ids[3]}/ack`);
    expect(acked).toMatchObject({ status: 200, body: { state: 'acknowledged' } });
    expect((acked.body as AlertEntry).history.at(-1)).toEqual({ state: 'acknowledged', tsMs: NOW, by: 'api:anonymous' });
    expect(((await served.request('GET', '/api/alert-entries?state=acknowledged')).body as { items: AlertEntry[] }).items.map((e) => e.id)).toEqual([ids[3], ids[0]]);
  });

  it('answers 409 for a transition the state does not allow, saying what it allows, and changes nothing', async () => {
    const before = await entry(ids[1]!);
    await served.request('POST', `/api/alert-entries/${ids[1]}/ack`, { by: 'alice' });
    expect(await served.request('POST', `/api/alert-entries/${ids[1]}/ack`, { by: 'carol' })).toEqual({
      status: 409,
      contentType: expect.stringMatching(/^application\/json/),
      body: { error: `alert ${ids[1]} is acknowledged, so it cannot acknowledge: from acknowledged you can shelve or clear` },
    });
    expect(await served.request('POST', `/api/alert-entries/${ids[2]}/unshelve`, {})).toMatchObject({
      status: 409,
      body: { error: `alert ${ids[2]} is raised, so it cannot unshelve: from raised you can acknowledge or shelve or clear` },
    });
    expect((await entry(ids[1]!)).history).toHaveLength(before.history.length + 1);
    expect((await entry(ids[2]!)).history).toHaveLength(1);
  });

  it('answers 404 for an id no alert has, on every alert route', async () => {
    const missing = 'al-0-0000000000000000';
    const answers = [
      await served.request('GET', `/api/alert-entries/${missing}`),
      await served.request('POST', `/api/alert-entries/${missing}/ack`, {}),
      await served.request('POST', `/api/alert-entries/${missing}/shelve`, { untilMs: NOW + 1000 }),
      await served.request('POST', `/api/alert-entries/${missing}/unshelve`, {}),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    expect(answers.map((a) => (a.body as { error: string }).error)).toEqual([
      `no alert has id "${missing}"; GET /api/alert-entries lists them`,
      `no alert has id "${missing}"; list alerts to find its id`,
      `no alert has id "${missing}"; list alerts to find its id`,
      `no alert has id "${missing}"; list alerts to find its id`,
    ]);
  });

  it('answers 400 naming the field for a bad body, query or cursor', async () => {
    const cases: [string, string, unknown, RegExp | string][] = [
      ['POST', `/api/alert-entries/${ids[4]}/shelve`, { by: 'alice' }, /^untilMs: Invalid input: expected number/],
      ['POST', `/api/alert-entries/${ids[4]}/shelve`, { untilMs: NOW - 1 }, `untilMs: cannot shelve alert ${ids[4]} until ${NOW - 1}: that is not after the request time ${NOW} (event time, ms); give a later untilMs`],
      ['POST', `/api/alert-entries/${ids[4]}/ack`, { by: 'alice smith' }, 'by: use 1–64 characters without spaces, not starting with ":"'],
      ['POST', `/api/alert-entries/${ids[4]}/ack`, { notes: 'typo' }, 'notes: unknown field'],
      ['GET', '/api/alert-entries?state=open', undefined, /^state: Invalid option/],
      ['GET', '/api/alert-entries?limit=0', undefined, 'limit: Too small: expected number to be >=1'],
      ['GET', '/api/alert-entries?limit=10001', undefined, 'limit: Too big: expected number to be <=10000'],
      ['GET', '/api/alert-entries?cursor=not-a-cursor', undefined, /^cursor: the cursor is not one a alert-entries page returned/],
    ];
    for (const [method, path, body, error] of cases) {
      const answer = await served.request(method, path, body);
      expect({ path, body, status: answer.status, error: (answer.body as { error: string }).error }).toEqual({
        path,
        body,
        status: 400,
        error: typeof error === 'string' ? error : expect.stringMatching(error),
      });
    }
    // None of them changed the alert.
    expect((await entry(ids[4]!)).state).toBe('raised');
  });
});
