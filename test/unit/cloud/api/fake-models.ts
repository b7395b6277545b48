import { createHash } from 'node:crypto';
import type { ModelApi } from '../../../../cloud/api';
import type { ModelRecord, SqliteStorage, TrainRequest } from '../../../../cloud/index';
import { RolloutController } from '../../../../cloud/lifecycle';
import { ModelRegistryError } from '../../../../cloud/models';
import type { Clock } from '../../../../sim';

/** A registered model as the store keeps one: three bytes, a manifest of the shape model.json has. */
export function modelRecord(version: string, createdMs: number): ModelRecord {
  const bytes = new Uint8Array([1, 2, 3]);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    version,
    sha256,
    signature: 'c2lnbmF0dXJl',
    keyId: 'test-key',
    createdMs,
    trainedOn: `windows for ${version}`,
    manifest: {
      format: 'twinbed-pca-residual/2',
      version,
      file: 'model.onnx',
      sha256,
      fittedOn: `windows for ${version}`,
      spec: { input: 'features', output: 'score', features: ['rms', 'peak', 'crest'], logFeatures: [] },
      threshold: 1.5,
      stats: {
        windows: 40,
        components: 1,
        explainedVariance: 0.9,
        eigenvalues: [2.5, 0.3, 0.2],
        flooredFeatures: [],
        thresholdPercentile: 99.9,
        thresholdMargin: 1.5,
        healthyScores: { count: 40, min: 0.01, p50: 0.2, p90: 0.5, p99: 0.9, p999: 1, max: 1, over: 0, overRate: 0, nonFinite: 0 },
      },
    },
    bytes,
  };
}

export interface FakeModels extends ModelApi {
  /** What train, stage and the rollout controller were asked to do, in order. */
  readonly calls: { train: TrainRequest[]; stage: { gateway: string; version: string; options: unknown }[]; sent: { gateway: string; action: string }[] };
}

/**
 * The model loop as the API drives it: registry reads from the store, a real RolloutController over the store, and
 * train and stage that record what they were asked. Training on sensor `none` fails as a period without windows does.
 */
export function fakeModels(storage: SqliteStorage, clock: Pick<Clock, 'now'>, gateways: { id: string; site: string }[]): FakeModels {
  const calls: FakeModels['calls'] = { train: [], stage: [], sent: [] };
  const rollouts = new RolloutController({
    state: storage,
    getModel: (version) => storage.getModel(version),
    send: (gateway, action) => {
      calls.sent.push({ gateway, action });
      return `rollout-cmd-${calls.sent.length}`;
    },
  });
  return {
    calls,
    registry: { list: () => storage.listModels(), get: (version) => storage.getModel(version) },
    rollouts,
    train: async (request) => {
      calls.train.push(request);
      if (request.sensor === 'none') throw new ModelRegistryError('E_MODEL_TRAINING_DATA', `no stored windows for ${request.sensor}; train on a period the devices sent features in`);
      const record = modelRecord(request.version ?? '1.0.0', clock.now());
      await storage.putModel(record);
      return record;
    },
    rollout: (spec) => rollouts.start(spec, gateways, clock.now()),
    stage: async (gateway, version, options) => {
      if (!(await storage.getModel(version))) throw new ModelRegistryError('E_MODEL_REGISTRY_UNKNOWN', `model ${version} is not registered; list() shows the registered versions`);
      calls.stage.push({ gateway, version, options });
      return `stage-cmd-${calls.stage.length}`;
    },
  };
}
