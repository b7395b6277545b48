import { inspectOnnx, ModelManifestSchema, sha256Hex, trainingSet, type ModelManifest, type PcaFitOptionsInput } from '../../ml';
import { bytesToBase64, ConfigError, formatFieldPath } from '../../protocol';
import type { ModelRecord, ModelStore } from '../records';
import { ModelKeyError, ModelRegistryError } from './errors';
import { ed25519PublicKey, verifyModelSignature, type ModelSigner } from './model-signer';
import { trainModel } from './model-trainer';
import { bumpSemver, compareSemver, formatSemver, parseSemver, type Semver, type SemverBump } from './semver';
import { describeQuery, TrainingQuerySchema, type TrainingQueryInput, type TrainingSource } from './training-query';

/** The first version a registry hands out. */
export const FIRST_MODEL_VERSION = '1.0.0';

/** A public key the registry checks stored models against before shipping them, as gateways list it. */
export interface TrustedModelKey {
  id: string;
  /** SPKI PEM. */
  publicKey: string;
}

export interface ModelRegistryOptions {
  /** Public keys of earlier signing keys, so models they signed still pass the check before shipping. Default none. */
  trustedKeys?: readonly TrustedModelKey[];
}

export interface RegisterInput {
  /** The ONNX file; it must carry `version` in its twinbed metadata (train it with `nextVersion()`). */
  bytes: Uint8Array;
  /** Its model.json; sha256 and version must match the bytes and the version registered. */
  manifest: ModelManifest;
  /** Semver greater than every registered version. Default: the newest bumped by `bump`, or 1.0.0 for the first. */
  version?: string;
  /** Which part to bump when `version` is not given. Default `minor`. */
  bump?: SemverBump;
  /** What it was trained on, for people. */
  trainedOn: string;
  /** Registration time, event time ms. */
  createdMs: number;
}

export interface TrainAndRegisterOptions {
  /** As in RegisterInput. */
  version?: string;
  bump?: SemverBump;
  /** PCA fit knobs. Default: ml's. */
  fit?: PcaFitOptionsInput;
  /** Input features in input order. Default: every feature all windows have. */
  select?: string[];
  /** Default: the windows count, devices, sensor and period. */
  trainedOn?: string;
  /** Registration time, event time ms. */
  createdMs: number;
}

/** The args of the gateway's `model.stage` command that ship a registered model. */
export interface ModelStageArgs {
  /** The ONNX file, base64. */
  bytes: string;
  sha256: string;
  version: string;
  /** Ed25519 over the bytes, base64. */
  signature: string;
  keyId: string;
}

/**
 * The cloud's model registry: immutable, signed, semver-ordered model versions over a ModelStore. Registrations
 * run one at a time, so two at once get consecutive versions instead of colliding on the same one.
 */
export class ModelRegistry {
  readonly #store: ModelStore;
  readonly #signer: ModelSigner;
  readonly #publicKeys = new Map<string, string>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(store: ModelStore, signer: ModelSigner, options: ModelRegistryOptions = {}) {
    this.#store = store;
    this.#signer = signer;
    this.#publicKeys.set(signer.keyId, signer.publicKeyPem());
    for (const key of options.trustedKeys ?? []) {
      if (this.#publicKeys.has(key.id)) throw new ModelKeyError(`trusted key "${key.id}" is listed twice (or is the signing key); give each key its own id`);
      ed25519PublicKey(key.publicKey, key.id);
      this.#publicKeys.set(key.id, key.publicKey);
    }
  }

  /** The version a registration without `version` would get now. */
  async nextVersion(bump: SemverBump = 'minor'): Promise<string> {
    const latest = await this.#latest();
    return latest ? formatSemver(bumpSemver(latest, bump)) : FIRST_MODEL_VERSION;
  }

  /** Signs and stores a fitted model under the next (or given) version. */
  register(input: RegisterInput): Promise<ModelRecord> {
    return this.#serially(async () => {
      const version = await this.#resolveVersion(input.version, input.bump);
      return this.#signAndPut(input.bytes, input.manifest, version, input.trainedOn, input.createdMs);
    });
  }

  /** Trains on the healthy windows `source` returns for `query`, then registers the model as `register` does. */
  async trainAndRegister(source: TrainingSource, queryInput: TrainingQueryInput, options: TrainAndRegisterOptions): Promise<ModelRecord> {
    const parsed = TrainingQuerySchema.safeParse(queryInput);
    if (!parsed.success) {
      throw new ConfigError('model training query', parsed.error.issues.map((issue) => ({ path: formatFieldPath(issue.path), message: issue.message })));
    }
    const query = parsed.data;
    const windows = await source.windows(query);
    const where = describeQuery(query);
    if (windows.length === 0) {
      throw new ModelRegistryError('E_MODEL_TRAINING_DATA', `no stored windows for ${where}; train on a period the devices sent features in, or check the device and sensor ids`);
    }
    const features = options.select && options.select.length > 0 ? options.select.length : trainingSet(windows.map((w) => w.features)).featureNames.length;
    // Below d + 2 windows the d × d covariance has no degree of freedom to spare: healthy residuals are fitted, not measured.
    if (windows.length < features + 2) {
      throw new ModelRegistryError(
        'E_MODEL_TRAINING_DATA',
        `${windows.length} stored windows for ${where} are too few to train ${features} features; need at least ${features + 2}: widen the period or add devices`,
      );
    }
    const trainedOn = options.trainedOn ?? `${windows.length} healthy windows of ${where}`;
    return this.#serially(async () => {
      const version = await this.#resolveVersion(options.version, options.bump);
      const trained = trainModel(windows, {
        version,
        trainedOn,
        ...(options.fit !== undefined ? { fit: options.fit } : {}),
        ...(options.select !== undefined ? { select: options.select } : {}),
      });
      return this.#signAndPut(trained.bytes, trained.manifest, version, trainedOn, options.createdMs);
    });
  }

  get(version: string): Promise<ModelRecord | undefined> {
    return this.#store.getModel(version);
  }

  /** Every registered version, oldest first, without bytes. */
  list(): Promise<Omit<ModelRecord, 'bytes'>[]> {
    return this.#store.listModels();
  }

  /**
   * The `model.stage` args that ship `version`, after checking the stored bytes still match their sha256 and
   * signature: the store lives outside this process, and a gateway would refuse a bad copy only after the transfer.
   */
  async stageArgs(version: string): Promise<ModelStageArgs> {
    const record = await this.#store.getModel(version);
    if (!record) throw new ModelRegistryError('E_MODEL_REGISTRY_UNKNOWN', `model ${version} is not registered; list() shows the registered versions`);
    const { bytes, sha256, signature, keyId } = record;
    if (sha256Hex(bytes) !== sha256) {
      throw new ModelRegistryError('E_MODEL_REGISTRY_INTEGRITY', `the stored bytes of model ${version} no longer match its sha256 ${sha256}; the store is corrupt — register the model again as a new version`);
    }
    const publicKey = this.#publicKeys.get(keyId);
    if (publicKey === undefined) {
      throw new ModelRegistryError('E_MODEL_REGISTRY_INTEGRITY', `model ${version} is signed with key "${keyId}", which this registry does not know; add its public key to trustedKeys, or register the model again`);
    }
    if (!verifyModelSignature(bytes, signature, publicKey)) {
      throw new ModelRegistryError('E_MODEL_REGISTRY_INTEGRITY', `the signature of model ${version} does not verify with key "${keyId}"; the store is corrupt — register the model again as a new version`);
    }
    return { bytes: bytesToBase64(bytes), sha256, version, signature, keyId };
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #signAndPut(bytes: Uint8Array, manifestInput: ModelManifest, version: string, trainedOn: string, createdMs: number): Promise<ModelRecord> {
    const sha256 = sha256Hex(bytes);
    const checked = ModelManifestSchema.safeParse(manifestInput);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new ModelRegistryError('E_MODEL_REGISTRY_MISMATCH', `the manifest is not a twinbed model.json (${formatFieldPath(issue.path)}: ${issue.message}); register the model.json fitted with these bytes`);
    }
    const manifest = checked.data;
    if (manifest.sha256 !== sha256) {
      throw new ModelRegistryError('E_MODEL_REGISTRY_MISMATCH', `the manifest describes other bytes (sha256 ${manifest.sha256}, the model's is ${sha256}); register the model.json fitted with these bytes`);
    }
    const carried = inspectOnnx(bytes).twinbed?.version;
    if (carried === undefined) {
      throw new ModelRegistryError('E_MODEL_REGISTRY_MISMATCH', 'the model carries no twinbed metadata; the registry keeps models fitted by twinbed (trainModel or `twinbed model fit`)');
    }
    // The version travels inside the ONNX file too, so a gateway would report one name and run a file that says another.
    if (carried !== version || manifest.version !== version) {
      throw new ModelRegistryError(
        'E_MODEL_REGISTRY_MISMATCH',
        `the model was fitted as version "${carried}" (manifest "${manifest.version}") but would be registered as ${version}; fit it with version ${version} (nextVersion() tells it) or register it as "${carried}"`,
      );
    }
    const record: ModelRecord = {
      version,
      sha256,
      signature: this.#signer.sign(bytes),
      keyId: this.#signer.keyId,
      createdMs,
      trainedOn,
      manifest: { ...manifest },
      // A plain view of the caller's bytes (ml hands out Node Buffers), so stores and JSON see one type.
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
    await this.#store.putModel(record);
    return record;
  }

  async #resolveVersion(version: string | undefined, bump: SemverBump | undefined): Promise<string> {
    if (version !== undefined && bump !== undefined) {
      throw new ModelRegistryError('E_MODEL_REGISTRY_VERSION', `give a version or a bump, not both (got ${version} and ${bump})`);
    }
    const latest = await this.#latest();
    if (version === undefined) return latest ? formatSemver(bumpSemver(latest, bump ?? 'minor')) : FIRST_MODEL_VERSION;
    const parsed = parseSemver(version);
    if (!parsed) throw new ModelRegistryError('E_MODEL_REGISTRY_VERSION', `version "${version}" is not MAJOR.MINOR.PATCH (e.g. 1.2.0); give a semantic version, or leave it out to bump the newest`);
    if (latest && compareSemver(parsed, latest) <= 0) {
      throw new ModelRegistryError(
        'E_MODEL_REGISTRY_VERSION',
        `version ${version} is not greater than ${formatSemver(latest)}, the newest registered; registered versions only go up: use ${formatSemver(bumpSemver(latest, 'patch'))} or higher`,
      );
    }
    return version;
  }

  async #latest(): Promise<Semver | undefined> {
    let latest: Semver | undefined;
    for (const { version } of await this.#store.listModels()) {
      const parsed = parseSemver(version);
      if (!parsed) throw new ModelRegistryError('E_MODEL_REGISTRY_VERSION', `the model store holds version "${version}", which is not MAJOR.MINOR.PATCH; store models only through the registry`);
      if (!latest || compareSemver(parsed, latest) > 0) latest = parsed;
    }
    return latest;
  }
}
