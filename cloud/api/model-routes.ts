import { z } from 'zod';
import { ModelManifestSchema } from '../../ml';
import { ConfigError } from '../../protocol';
import type { RolloutSpecInput, RolloutStatus } from '../lifecycle';
import type { TrainRequest } from '../model-loop';
import type { ModelRecord, RegistryEntry } from '../records';
import { ConflictError, NotFoundError } from './errors';
import { memoryPage, PageQueryFields } from './paging';
import { CommandAcceptedSchema, ModelInfoPageSchema, ModelInfoSchema } from './record-schemas';
import { actorOf, StageBodySchema, TrainBodySchema } from './request-schemas';
import { defineRoute, type Route } from './route';

/** The model lifecycle as the API drives it; a ModelLoop is one. */
export interface ModelApi {
  registry: {
    /** Every registered version, oldest first, without bytes. */
    list(): Promise<Omit<ModelRecord, 'bytes'>[]>;
    get(version: string): Promise<ModelRecord | undefined>;
  };
  rollouts: {
    status(id: string): RolloutStatus | undefined;
    /** In start order. */
    statuses(): RolloutStatus[];
    resume(id: string, nowMs: number): Promise<RolloutStatus>;
    cancel(id: string, nowMs: number, reason?: string): Promise<RolloutStatus>;
  };
  train(request: TrainRequest): Promise<ModelRecord>;
  rollout(spec: RolloutSpecInput): Promise<RolloutStatus>;
  stage(gateway: string, version: string, options?: { tamper?: boolean; actor?: string }): Promise<string>;
}

/** What the model and rollout routes use; a Cloud is one (with the time from the API's clock). */
export interface ModelApiModel {
  /** Undefined when the cloud has no signing key: then every model and rollout route answers 404. */
  readonly models: ModelApi | undefined;
  registry: { entry(id: string): Promise<RegistryEntry | undefined> };
  /** Event time now, by the cloud's clock, ms since the Unix epoch. */
  now(): number;
}

/** HTTP status of the model registry's and the rollout controller's typed errors. */
export const MODEL_ERROR_STATUS: Readonly<Record<string, number>> = {
  E_MODEL_REGISTRY_UNKNOWN: 404,
  E_MODEL_REGISTRY_VERSION: 409,
  E_STORAGE_MODEL_EXISTS: 409,
  E_MODEL_TRAINING_DATA: 409,
  E_MODEL_FIT: 400,
  E_ROLLOUT_SPEC: 400,
  E_ROLLOUT_UNKNOWN: 404,
  E_ROLLOUT_MODEL: 404,
  E_ROLLOUT_EXISTS: 409,
  E_ROLLOUT_CONFLICT: 409,
  E_ROLLOUT_STATE: 409,
};

export const NO_MODELS = 'The cloud has no signing key, so no model registry or rollouts.';

/** The model loop, or the 404 that says how to get one. */
export function modelsOf(cloud: ModelApiModel): ModelApi {
  const models = cloud.models;
  if (!models) throw new NotFoundError('this cloud has no model registry: it was started without a signing key; set models.signingKey (and keyId) in the cloud config');
  return models;
}

const VersionParams = z.object({ version: z.string().min(1).max(128).describe('Model version, e.g. `1.2.0`.') });

/** A model record as the API shows it: everything but the bytes. */
function modelInfo(record: Omit<ModelRecord, 'bytes'>): z.input<typeof ModelInfoSchema> {
  const { version, sha256, signature, keyId, createdMs, trainedOn, manifest } = record;
  return { version, sha256, signature, keyId, createdMs, trainedOn, manifest: ModelManifestSchema.parse(manifest) };
}

export function modelRoutes(cloud: ModelApiModel): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/models',
      summary: 'Registered model versions, oldest first, without their bytes',
      tags: ['models'],
      query: z.object(PageQueryFields),
      response: ModelInfoPageSchema,
      errors: { 404: NO_MODELS },
      handler: async ({ query }) => {
        const page = memoryPage(await modelsOf(cloud).registry.list(), (m) => m.version, 'models', query);
        return { ...page, items: page.items.map(modelInfo) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/models/{version}',
      summary: 'One model version: manifest, sha256, signature and signing key, without its bytes',
      tags: ['models'],
      params: VersionParams,
      response: ModelInfoSchema,
      errors: { 404: `No such version is registered. ${NO_MODELS}` },
      handler: async ({ params }) => {
        const record = await modelsOf(cloud).registry.get(params.version);
        if (!record) throw new NotFoundError(`model ${params.version} is not registered; GET /api/models lists the versions`);
        return modelInfo(record);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/models',
      summary: 'Train, sign and register a model on stored healthy windows',
      description: 'Fits the edge anomaly model (PCA) on the stored windows of the devices\' sensor in [fromMs, toMs], and keeps their distribution as its drift reference.',
      tags: ['models'],
      body: TrainBodySchema,
      response: ModelInfoSchema,
      status: 201,
      errors: {
        404: NO_MODELS,
        409: 'The stored windows cannot train it (none, or too few in the period), or the version is not above the newest registered.',
      },
      handler: async ({ body }) => {
        const models = modelsOf(cloud);
        const { devices, sensor, fromMs, toMs, version, bump, fit, select } = body;
        try {
          const record = await models.train({
            sensor,
            fromMs,
            toMs,
            ...(devices ? { devices } : {}),
            ...(version ? { version } : {}),
            ...(bump ? { bump } : {}),
            ...(fit ? { fit } : {}),
            ...(select ? { select } : {}),
          });
          return modelInfo(record);
        } catch (error) {
          // Every field was checked here; only the devices found in storage can still fail the training query.
          if (error instanceof ConfigError && devices === undefined) {
            throw new ConflictError(`no device has stored windows of sensor "${sensor}"; name the devices, or train once they have sent windows`);
          }
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/models/{version}/stage',
      summary: 'Send one gateway a model.stage of a registered version, outside any rollout',
      description: 'The gateway checks the signature and validates the model in shadow; its reply is audited. `tamper` sends a copy with one byte flipped, which the gateway must refuse.',
      tags: ['models'],
      params: VersionParams,
      body: StageBodySchema,
      response: CommandAcceptedSchema,
      status: 202,
      errors: { 404: `The version is not registered, or the registry does not know the gateway. ${NO_MODELS}` },
      handler: async ({ params, body }) => {
        const models = modelsOf(cloud);
        const entry = await cloud.registry.entry(body.gateway);
        if (entry?.kind !== 'gateway') throw new NotFoundError(`no gateway "${body.gateway}" in the registry; GET /api/registry lists the known ones (kind gateway)`);
        const id = await models.stage(body.gateway, params.version, { actor: actorOf(body.by), ...(body.tamper ? { tamper: true } : {}) });
        return { id };
      },
    }),
  ];
}
