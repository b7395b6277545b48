import { z } from 'zod';
import { IdSchema } from '../../protocol';
import { RolloutSpecSchema } from '../lifecycle';
import { NotFoundError } from './errors';
import { modelsOf, NO_MODELS, type ModelApiModel } from './model-routes';
import { memoryPage, PageQueryFields } from './paging';
import { RolloutStatusPageSchema, RolloutStatusSchema } from './record-schemas';
import { actorOf, CancelRolloutBodySchema } from './request-schemas';
import { defineRoute, type Route } from './route';

const RolloutParams = z.object({ id: IdSchema.describe('Rollout id.') });
const UNKNOWN = `No rollout has this id. ${NO_MODELS}`;

/** Staged model rollouts (hawkBit semantics): start, watch, resume after a pause, cancel. */
export function rolloutRoutes(cloud: ModelApiModel): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/rollouts',
      summary: 'Rollouts, in start order',
      tags: ['rollouts'],
      query: z.object(PageQueryFields),
      response: RolloutStatusPageSchema,
      errors: { 404: NO_MODELS },
      handler: ({ query }) => memoryPage(modelsOf(cloud).rollouts.statuses(), (r) => r.id, 'rollouts', query),
    }),
    defineRoute({
      method: 'get',
      path: '/api/rollouts/{id}',
      summary: 'One rollout: its state, group and each gateway\'s phase',
      tags: ['rollouts'],
      params: RolloutParams,
      response: RolloutStatusSchema,
      errors: { 404: UNKNOWN },
      handler: ({ params }) => {
        const status = modelsOf(cloud).rollouts.status(params.id);
        if (!status) throw new NotFoundError(`no rollout ${params.id}; GET /api/rollouts lists them`);
        return status;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/rollouts',
      summary: 'Start a staged rollout of a registered model over the gateways the registry knows',
      description: 'Groups run one after another: finished/total ≥ successThreshold starts the next; errors/total > errorThreshold pauses the whole rollout.',
      tags: ['rollouts'],
      body: RolloutSpecSchema.meta({ id: 'RolloutSpec', description: 'A staged rollout: the model version and its deployment groups.' }),
      response: RolloutStatusSchema,
      status: 201,
      errors: {
        404: `The model version is not registered. ${NO_MODELS}`,
        409: 'A rollout with this id exists, or one of its gateways is still in another rollout.',
      },
      handler: ({ body }) => modelsOf(cloud).rollout(body),
    }),
    defineRoute({
      method: 'post',
      path: '/api/rollouts/{id}/resume',
      summary: 'Resume a paused rollout, accepting the failures that paused it; a running one is left as it is',
      tags: ['rollouts'],
      params: RolloutParams,
      response: RolloutStatusSchema,
      errors: { 404: `${UNKNOWN} Or its model is no longer registered.`, 409: 'The rollout is finished or cancelled.' },
      handler: ({ params }) => modelsOf(cloud).rollouts.resume(params.id, cloud.now()),
    }),
    defineRoute({
      method: 'post',
      path: '/api/rollouts/{id}/cancel',
      summary: 'Cancel a rollout: no further gateway is staged or activated',
      tags: ['rollouts'],
      params: RolloutParams,
      body: CancelRolloutBodySchema.optional(),
      response: RolloutStatusSchema,
      errors: { 404: UNKNOWN, 409: 'The rollout is finished or cancelled already.' },
      handler: ({ params, body }) => modelsOf(cloud).rollouts.cancel(params.id, cloud.now(), `${body?.reason ?? 'cancelled over the API'} (${actorOf(body?.by)})`),
    }),
  ];
}
