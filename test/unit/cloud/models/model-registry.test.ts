import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ModelKeyError,
  ModelRegistry,
  ModelRegistryError,
  ModelSigner,
  trainModel,
  verifyModelSignature,
  type TrainingQuery,
  type TrainingSource,
  type TrainingWindow,
} from '../../../../cloud/models';
import type { ModelRecord } from '../../../../cloud/records';
import { inspectOnnx } from '../../../../ml';
import { base64ToBytes, ConfigError } from '../../../../protocol';
import { healthyWindows, START_MS, WINDOW_MS } from './healthy-windows';
import { flipByte, MemoryModelStore } from './memory-model-store';

const WINDOWS = healthyWindows(['pump-1', 'pump-2', 'pump-3'], 400, 'registry');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function setup(keyId = 'cloud-test') {
  const store = new MemoryModelStore();
  const signer = ModelSigner.generate(keyId);
  return { store, signer, registry: new ModelRegistry(store, signer) };
}

/** Fits WINDOWS under `version`, as a caller of register() does after asking nextVersion(). */
function fitted(version: string) {
  return trainModel(WINDOWS, { version, trainedOn: '1,200 synthetic windows' });
}

async function registerNext(registry: ModelRegistry, bump?: 'major' | 'minor' | 'patch', createdMs = START_MS): Promise<ModelRecord> {
  const { bytes, manifest } = fitted(await registry.nextVersion(bump));
  return registry.register({ bytes, manifest, ...(bump ? { bump } : {}), trainedOn: '1,200 synthetic windows', createdMs });
}

async function refusal(promise: Promise<unknown>): Promise<ModelRegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelRegistryError);
  return error as ModelRegistryError;
}

/** A TrainingSource over an array, as Storage.series would serve it: filtered by the query, device by device. */
function arraySource(windows: readonly TrainingWindow[]): TrainingSource & { queries: TrainingQuery[] } {
  const queries: TrainingQuery[] = [];
  return {
    queries,
    async windows(query) {
      queries.push(query);
      return query.devices.flatMap((device) => windows.filter((w) => w.device === device && w.sensor === query.sensor && w.tsMs >= query.fromMs && w.tsMs <= query.toMs));
    },
  };
}

describe('ModelRegistry.register', () => {
  it('stores the record with the sha256 of its bytes and an Ed25519 signature by the signer\'s key', async () => {
    const { store, signer, registry } = setup();
    const { bytes, manifest } = fitted('1.0.0');
    const record = await registry.register({ bytes, manifest, trainedOn: 'synthetic', createdMs: START_MS + 5 });

    expect(record).toMatchObject({ version: '1.0.0', sha256: sha256(bytes), keyId: 'cloud-test', createdMs: START_MS + 5, trainedOn: 'synthetic' });
    expect(record.manifest).toMatchObject({ version: '1.0.0', sha256: sha256(bytes) });
    expect(await store.getModel('1.0.0')).toEqual(record);
    expect(verifyModelSignature(record.bytes, record.signature, signer.publicKeyPem())).toBe(true);
    expect(verifyModelSignature(flipByte(record.bytes), record.signature, signer.publicKeyPem())).toBe(false);
    expect(verifyModelSignature(record.bytes, record.signature, ModelSigner.generate('other').publicKeyPem())).toBe(false);
  });

  it('numbers versions 1.0.0 first, then bumps minor by default, and patch or major on request', async () => {
    const { registry } = setup();
    const versions = [];
    versions.push((await registerNext(registry)).version);
    versions.push((await registerNext(registry)).version);
    versions.push((await registerNext(registry, 'patch')).version);
    versions.push((await registerNext(registry, 'major')).version);

    expect(versions).toEqual(['1.0.0', '1.1.0', '1.1.1', '2.0.0']);
    const listed = await registry.list();
    expect(listed.map((r) => r.version)).toEqual(versions);
    expect(listed.every((r) => !('bytes' in r))).toBe(true);
  });

  it('refuses a given version that is not semver or not greater than every registered one', async () => {
    const { registry } = setup();
    const as = (version: string) => ({ ...fitted(version), version, trainedOn: 'synthetic', createdMs: START_MS });
    await registry.register(as('1.0.0'));
    await registry.register(as('1.9.0'));

    for (const version of ['1.9.0', '1.2.0', '0.9.9']) {
      const error = await refusal(registry.register(as(version)));
      expect(error.code).toBe('E_MODEL_REGISTRY_VERSION');
      expect(error.message).toContain(`version ${version} is not greater than 1.9.0, the newest registered`);
      expect(error.message).toContain('use 1.9.1 or higher');
    }
    for (const version of ['v2', '2.0', '2.0.0-rc.1', '01.0.0']) {
      expect((await refusal(registry.register(as(version)))).message).toContain(`version "${version}" is not MAJOR.MINOR.PATCH`);
    }
    expect((await refusal(registry.register({ ...as('2.0.0'), bump: 'major' }))).message).toContain('not both');
    // Parts compare as numbers: 1.10.0 comes after 1.9.0.
    expect((await registry.register(as('1.10.0'))).version).toBe('1.10.0');
    expect((await registry.list()).map((r) => r.version)).toEqual(['1.0.0', '1.9.0', '1.10.0']);
    expect(await registry.nextVersion('patch')).toBe('1.10.1');
  });

  it('refuses bytes fitted under another version, and a manifest of other bytes', async () => {
    const { store, registry } = setup();
    const v1 = fitted('1.0.0');
    const wrongVersion = await refusal(registry.register({ ...v1, version: '2.0.0', trainedOn: 'x', createdMs: START_MS }));
    expect(wrongVersion.code).toBe('E_MODEL_REGISTRY_MISMATCH');
    expect(wrongVersion.message).toContain('fitted as version "1.0.0" (manifest "1.0.0") but would be registered as 2.0.0');

    const other = trainModel(healthyWindows(['pump-9'], 300, 'other'), { version: '1.0.0', trainedOn: 'x' });
    const wrongManifest = await refusal(registry.register({ bytes: v1.bytes, manifest: other.manifest, trainedOn: 'x', createdMs: START_MS }));
    expect(wrongManifest.code).toBe('E_MODEL_REGISTRY_MISMATCH');
    expect(wrongManifest.message).toContain(`the manifest describes other bytes (sha256 ${other.sha256}, the model's is ${v1.sha256})`);
    expect(await store.listModels()).toEqual([]);
  });
});

describe('ModelRegistry.trainAndRegister', () => {
  const query = { devices: ['pump-1', 'pump-2'], sensor: 'accel', fromMs: START_MS, toMs: START_MS + 299 * WINDOW_MS };

  it('trains on the windows the source returns for the query and registers the model under the next version', async () => {
    const { signer, registry } = setup();
    const source = arraySource(WINDOWS);
    const record = await registry.trainAndRegister(source, query, { createdMs: START_MS + 1 });

    expect(source.queries).toEqual([query]);
    const used = WINDOWS.filter((w) => w.device !== 'pump-3' && w.tsMs <= query.toMs);
    expect(used).toHaveLength(600);
    const trainedOn = '600 healthy windows of pump-1, pump-2 / accel, 2025-06-15T15:06:40.000Z – 2025-06-15T15:11:39.000Z';
    expect(record).toMatchObject({ version: '1.0.0', trainedOn, manifest: { version: '1.0.0', stats: { windows: 600 } } });
    // The same training as trainModel on those windows, and the file carries the version it is registered as.
    expect(record.sha256).toBe(trainModel(used, { version: '1.0.0', trainedOn }).sha256);
    expect(inspectOnnx(record.bytes).twinbed?.version).toBe('1.0.0');
    expect(verifyModelSignature(record.bytes, record.signature, signer.publicKeyPem())).toBe(true);

    const next = await registry.trainAndRegister(source, query, { bump: 'patch', fit: { thresholdMargin: 2 }, trainedOn: 'by hand', createdMs: START_MS + 2 });
    expect(next).toMatchObject({ version: '1.0.1', trainedOn: 'by hand', manifest: { stats: { thresholdMargin: 2 } } });
  });

  it('gives concurrent trainings consecutive versions, each file carrying its own', async () => {
    const { registry } = setup();
    const source = arraySource(WINDOWS);
    const records = await Promise.all([
      registry.trainAndRegister(source, query, { createdMs: START_MS }),
      registry.trainAndRegister(source, { ...query, devices: ['pump-3'] }, { createdMs: START_MS }),
    ]);
    expect(records.map((r) => r.version).sort()).toEqual(['1.0.0', '1.1.0']);
    for (const record of records) expect(inspectOnnx(record.bytes).twinbed?.version).toBe(record.version);
  });

  it('refuses to train on fewer windows than features + 2, or none, naming the query', async () => {
    const { store, registry } = setup();
    const few = await refusal(registry.trainAndRegister(arraySource(WINDOWS), { ...query, devices: ['pump-1'], toMs: START_MS + 6 * WINDOW_MS }, { createdMs: START_MS }));
    expect(few.code).toBe('E_MODEL_TRAINING_DATA');
    expect(few.message).toContain('7 stored windows for pump-1 / accel, 2025-06-15T15:06:40.000Z – 2025-06-15T15:06:46.000Z are too few to train 6 features; need at least 8');

    const none = await refusal(registry.trainAndRegister(arraySource(WINDOWS), { ...query, sensor: 'temp' }, { createdMs: START_MS }));
    expect(none.code).toBe('E_MODEL_TRAINING_DATA');
    expect(none.message).toContain('no stored windows for pump-1, pump-2 / temp');
    expect(await store.listModels()).toEqual([]);
  });

  it('refuses a query without devices or with an empty period, naming the field', async () => {
    const { registry } = setup();
    const source = arraySource(WINDOWS);
    await expect(registry.trainAndRegister(source, { ...query, devices: [] }, { createdMs: 0 })).rejects.toThrow(ConfigError);
    await expect(registry.trainAndRegister(source, { ...query, toMs: query.fromMs }, { createdMs: 0 })).rejects.toThrow('model training query toMs: must be after fromMs');
    expect(source.queries).toEqual([]);
  });
});

describe('ModelRegistry.stageArgs', () => {
  it('hands out model.stage args whose bytes decode to the registered file and verify with the signer\'s key', async () => {
    const { signer, registry } = setup();
    const record = await registerNext(registry);
    const args = await registry.stageArgs('1.0.0');

    expect(args).toEqual({ bytes: expect.any(String), sha256: record.sha256, version: '1.0.0', signature: record.signature, keyId: 'cloud-test' });
    const bytes = base64ToBytes(args.bytes);
    expect(sha256(bytes)).toBe(record.sha256);
    expect(verifyModelSignature(bytes, args.signature, signer.publicKeyPem())).toBe(true);
    expect((await refusal(registry.stageArgs('9.9.9'))).code).toBe('E_MODEL_REGISTRY_UNKNOWN');
  });

  it('refuses to ship a stored model whose bytes, hash or key were altered', async () => {
    const { store, registry } = setup();
    await registerNext(registry);
    await registerNext(registry);
    await registerNext(registry);

    store.tamper('1.0.0', (r) => ({ ...r, bytes: flipByte(r.bytes) }));
    expect((await refusal(registry.stageArgs('1.0.0'))).message).toContain('the stored bytes of model 1.0.0 no longer match its sha256');
    // A consistent hash does not help a tampered file: only the signing key can sign it.
    store.tamper('1.1.0', (r) => {
      const bytes = flipByte(r.bytes);
      return { ...r, bytes, sha256: sha256(bytes) };
    });
    const forged = await refusal(registry.stageArgs('1.1.0'));
    expect(forged).toMatchObject({ code: 'E_MODEL_REGISTRY_INTEGRITY', message: expect.stringContaining('the signature of model 1.1.0 does not verify with key "cloud-test"') });
    store.tamper('1.2.0', (r) => ({ ...r, keyId: 'unknown-key' }));
    expect((await refusal(registry.stageArgs('1.2.0'))).message).toContain('signed with key "unknown-key", which this registry does not know');
  });

  it('still ships models signed by a retired key listed in trustedKeys, and signs new ones with the current key', async () => {
    const { store, signer: retired, registry: before } = setup('cloud-2024');
    await registerNext(before);
    const current = ModelSigner.generate('cloud-2025');

    await expect(new ModelRegistry(store, current).stageArgs('1.0.0')).rejects.toThrow('signed with key "cloud-2024"');
    // A trusted key is checked where it enters, not when the first model signed by it ships.
    expect(() => new ModelRegistry(store, current, { trustedKeys: [{ id: 'cloud-2024', publicKey: 'not a key' }] })).toThrow(ModelKeyError);
    expect(() => new ModelRegistry(store, current, { trustedKeys: [{ id: 'cloud-2024', publicKey: 'not a key' }] })).toThrow('key "cloud-2024" is not a PEM public key');
    expect(() => new ModelRegistry(store, current, { trustedKeys: [{ id: 'cloud-2025', publicKey: current.publicKeyPem() }] })).toThrow('listed twice');
    const after = new ModelRegistry(store, current, { trustedKeys: [{ id: 'cloud-2024', publicKey: retired.publicKeyPem() }] });
    expect((await after.stageArgs('1.0.0')).keyId).toBe('cloud-2024');
    const next = await registerNext(after);
    expect(next).toMatchObject({ version: '1.1.0', keyId: 'cloud-2025' });
    expect(verifyModelSignature(next.bytes, next.signature, current.publicKeyPem())).toBe(true);
  });
});
