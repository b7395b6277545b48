import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MOUNT_OPTIONS, cloudRoutes } from '../../../../cloud/api';
import type { RolloutStatus } from '../../../../cloud/index';
import { fakeCloud, NOW, T0, type FakeCloud } from './fake-cloud';
import { fakeModels, modelRecord, type FakeModels } from './fake-models';
import { serveRoutes, type ServedRoutes } from './serve-routes';

const TRAIN = { devices: ['pump-1'], sensor: 'accel', fromMs: T0, toMs: T0 + 60_000 };

describe('model and rollout routes on a cloud without a signing key', () => {
  let cloud: FakeCloud;
  let served: ServedRoutes;
  beforeAll(async () => {
    cloud = fakeCloud();
    served = await serveRoutes(cloudRoutes(cloud), { ...CLOUD_MOUNT_OPTIONS, checkResponses: true });
  });
  afterAll(async () => {
    await served?.close();
    await cloud?.close();
  });

  it('answers 404 on every one of them, saying how to give it a registry', async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/models'],
      ['GET', '/api/models/1.0.0'],
      ['POST', '/api/models', TRAIN],
      ['POST', '/api/models/1.0.0/stage', { gateway: 'gw-1' }],
      ['GET', '/api/rollouts'],
      ['GET', '/api/rollouts/r1'],
      ['POST', '/api/rollouts', { id: 'r1', version: '1.0.0', groups: [{}] }],
      ['POST', '/api/rollouts/r1/resume'],
      ['POST', '/api/rollouts/r1/cancel', {}],
    ];
    for (const [method, path, body] of calls) {
      const answer = await served.request(method, path, body);
      expect({ call: `${method} ${path}`, answer }).toEqual({
        call: `${method} ${path}`,
        answer: {
          status: 404,
          contentType: expect.stringMatching(/^application\/json/),
          body: { error: 'this cloud has no model registry: it was started without a signing key; set models.signingKey (and keyId) in the cloud config' },
        },
      });
    }
  });
});

describe('model registry and rollouts over the REST API', () => {
  let cloud: FakeCloud;
  let models: FakeModels;
  let served: ServedRoutes;

  beforeAll(async () => {
    cloud = fakeCloud({ models: ({ storage, clock }) => (models = fakeModels(storage, clock, [{ id: 'gw-1', site: 'plant-a' }])) });
    await cloud.registry.onStatus('plant-a', { type: 'status', v: 1, device: 'gw-1', tsMs: T0, state: 'online' }, false);
    await cloud.registry.onReading('plant-a', 'pump-1', 'accel', T0 + 100, 'gw-1', { rms: 0.4, peak: 1.2, crest: 3 }, 'g');
    for (const [i, version] of ['1.0.0', '1.1.0', '1.2.0'].entries()) await cloud.storage.putModel(modelRecord(version, T0 + i));
    served = await serveRoutes(cloudRoutes(cloud), { ...CLOUD_MOUNT_OPTIONS, checkResponses: true });
  });
  afterAll(async () => {
    await served?.close();
    await cloud?.close();
  });

  it('lists registered versions oldest first, a page at a time, without their bytes', async () => {
    const first = (await served.request('GET', '/api/models?limit=2')).body as { items: { version: string }[]; next?: string };
    expect(first.items.map((m) => m.version)).toEqual(['1.0.0', '1.1.0']);
    expect(first.items.every((m) => !('bytes' in m))).toBe(true);
    const second = (await served.request('GET', `/api/models?limit=2&cursor=${first.next}`)).body as { items: { version: string }[]; next?: string };
    expect(second.items.map((m) => m.version)).toEqual(['1.2.0']);
    expect(second.next).toBeUndefined();
    expect(await served.request('GET', `/api/rollouts?cursor=${first.next}`)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^cursor: the cursor is not one a rollouts page returned/) } });
  });

  it('serves one version with its manifest, sha256, signature and key, and 404 for one not registered', async () => {
    const { bytes: _bytes, ...expected } = modelRecord('1.1.0', T0 + 1);
    expect(await served.request('GET', '/api/models/1.1.0')).toMatchObject({ status: 200, body: expected });
    expect(Object.keys((await served.request('GET', '/api/models/1.1.0')).body as object).sort()).toEqual(['createdMs', 'keyId', 'manifest', 'sha256', 'signature', 'trainedOn', 'version']);
    expect(await served.request('GET', '/api/models/9.9.9')).toMatchObject({ status: 404, body: { error: 'model 9.9.9 is not registered; GET /api/models lists the versions' } });
  });

  it('trains on the request as given, with the fit defaults filled in, and answers 201 with the record', async () => {
    const answer = await served.request('POST', '/api/models', { ...TRAIN, version: '2.0.0', fit: { components: 2 } });
    expect(answer).toMatchObject({ status: 201, body: { version: '2.0.0', keyId: 'test-key', createdMs: NOW, manifest: { version: '2.0.0' } } });
    expect('bytes' in (answer.body as object)).toBe(false);
    expect(models.calls.train.at(-1)).toEqual({ ...TRAIN, version: '2.0.0', fit: { components: 2, variance: 0.95, thresholdPercentile: 99.9, thresholdMargin: 1.5, logFeatures: 'auto', stdFloor: 1e-4 } });
    expect(((await served.request('GET', '/api/models')).body as { items: { version: string }[] }).items.at(-1)?.version).toBe('2.0.0');
  });

  it('answers 400 naming the field of a bad training request, before training anything', async () => {
    const before = models.calls.train.length;
    const cases: [unknown, string | RegExp][] = [
      [{ ...TRAIN, toMs: T0 }, 'toMs: must be after fromMs'],
      [{ ...TRAIN, version: '3.0.0', bump: 'major' }, 'bump: give a version or a bump, not both'],
      [{ ...TRAIN, version: 'v3' }, 'version: expected MAJOR.MINOR.PATCH, e.g. 1.2.0'],
      [{ ...TRAIN, devices: [] }, 'devices: Too small: expected array to have >=1 items'],
      [{ ...TRAIN, fit: { components: 0 } }, 'fit.components: Too small: expected number to be >=1'],
      [{ ...TRAIN, fit: { colour: 'red' } }, 'fit.colour: unknown field'],
      [{ devices: ['pump-1'], fromMs: T0, toMs: T0 + 1 }, /^sensor: Invalid input: expected string/],
    ];
    for (const [body, error] of cases) {
      const answer = await served.request('POST', '/api/models', body);
      expect({ body, status: answer.status, error: (answer.body as { error: string }).error }).toEqual({ body, status: 400, error: typeof error === 'string' ? error : expect.stringMatching(error) });
    }
    expect(models.calls.train).toHaveLength(before);
  });

  it('answers 409 when the stored windows cannot train the model', async () => {
    expect(await served.request('POST', '/api/models', { ...TRAIN, sensor: 'none' })).toMatchObject({
      status: 409,
      body: { error: 'no stored windows for none; train on a period the devices sent features in' },
    });
  });

  it('stages a version on a gateway as api:<by>, and 404s a gateway or version it does not know', async () => {
    expect(await served.request('POST', '/api/models/1.1.0/stage', { gateway: 'gw-1', tamper: true, by: 'bob' })).toEqual({
      status: 202,
      contentType: expect.stringMatching(/^application\/json/),
      body: { id: 'stage-cmd-1' },
    });
    expect(models.calls.stage).toEqual([{ gateway: 'gw-1', version: '1.1.0', options: { actor: 'api:bob', tamper: true } }]);
    expect(await served.request('POST', '/api/models/1.1.0/stage', { gateway: 'pump-1' })).toMatchObject({
      status: 404,
      body: { error: 'no gateway "pump-1" in the registry; GET /api/registry lists the known ones (kind gateway)' },
    });
    expect(await served.request('POST', '/api/models/1.1.0/stage', { gateway: 'gw-9' })).toMatchObject({ status: 404 });
    expect(await served.request('POST', '/api/models/9.9.9/stage', { gateway: 'gw-1' })).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^model 9\.9\.9 is not registered/) } });
    expect(models.calls.stage).toHaveLength(1);
  });

  it('starts a rollout (201, running, the first group staging), then 409 for the same id and 404 for an unknown version', async () => {
    const started = await served.request('POST', '/api/rollouts', { id: 'r1', version: '1.2.0', groups: [{ name: 'canary' }] });
    expect(started).toEqual({
      status: 201,
      contentType: expect.stringMatching(/^application\/json/),
      body: { id: 'r1', version: '1.2.0', state: 'running', group: 1, groups: 1, startedMs: NOW, updatedMs: NOW, gateways: [{ gateway: 'gw-1', group: 1, phase: 'staging', windows: 0 }] },
    });
    expect(models.calls.sent).toEqual([{ gateway: 'gw-1', action: 'model.stage' }]);
    expect(await served.request('POST', '/api/rollouts', { id: 'r1', version: '1.2.0', groups: [{}] })).toMatchObject({
      status: 409,
      body: { error: 'rollout r1 already exists; give the new rollout another id' },
    });
    expect(await served.request('POST', '/api/rollouts', { id: 'r2', version: '7.0.0', groups: [{}] })).toMatchObject({
      status: 404,
      body: { error: 'model 7.0.0 is not in the model registry; register it before rolling it out' },
    });
    expect(await served.request('POST', '/api/rollouts', { id: 'r3', version: '1.2.0', groups: [] })).toMatchObject({ status: 400, body: { error: 'groups: Too small: expected array to have >=1 items' } });
    expect(await served.request('POST', '/api/rollouts', { id: 'r3', version: '1.2.0', groups: [{ gateways: ['gw-1'], percent: 50 }] })).toMatchObject({
      status: 400,
      body: { error: 'groups[0]: give either gateways (an explicit list) or percent and/or site (a share of the rest), not both' },
    });
    expect(((await served.request('GET', '/api/rollouts')).body as { items: RolloutStatus[] }).items.map((r) => `${r.id} ${r.state}`)).toEqual(['r1 running']);
    expect(await served.request('GET', '/api/rollouts/r1')).toEqual({ status: 200, contentType: expect.stringMatching(/^application\/json/), body: started.body });
    expect(await served.request('GET', '/api/rollouts/r9')).toMatchObject({ status: 404, body: { error: 'no rollout r9; GET /api/rollouts lists them' } });
  });

  it('cancels a rollout at the cloud clock time with the reason and who, and answers 409 for a resume or cancel its state does not allow', async () => {
    // Resuming a running rollout changes nothing.
    expect(await served.request('POST', '/api/rollouts/r1/resume')).toMatchObject({ status: 200, body: { state: 'running', updatedMs: NOW } });
    await cloud.clock.runUntil(NOW + 5000);
    expect(await served.request('POST', '/api/rollouts/r1/cancel', { by: 'carol', reason: 'wrong model' })).toMatchObject({
      status: 200,
      body: { id: 'r1', state: 'cancelled', reason: 'wrong model (api:carol)', updatedMs: NOW + 5000 },
    });
    expect(await served.request('POST', '/api/rollouts/r1/cancel')).toMatchObject({ status: 409, body: { error: 'rollout r1 is already cancelled; there is nothing to cancel' } });
    expect(await served.request('POST', '/api/rollouts/r1/resume')).toMatchObject({ status: 409, body: { error: 'rollout r1 is cancelled and cannot resume; start a new rollout instead' } });
    expect(await served.request('POST', '/api/rollouts/r9/cancel', {})).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^no rollout r9 here/) } });
    expect(await served.request('POST', '/api/rollouts/r9/resume')).toMatchObject({ status: 404 });
  });
});
