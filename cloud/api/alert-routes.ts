import { z } from 'zod';
import { IdSchema, TwinbedError } from '../../protocol';
import type { AlertEntry } from '../records';
import type { Storage } from '../storage';
import { BadRequestError, NotFoundError } from './errors';
import { PageQueryFields, storagePage } from './paging';
import { AlertEntryPageSchema, AlertEntrySchema, AlertStateSchema } from './record-schemas';
import { AcknowledgeBodySchema, actorOf, ShelveBodySchema, UnshelveBodySchema } from './request-schemas';
import { defineRoute, type Route } from './route';

/** What the alert routes read and do; a Cloud is one. Each action stamps the cloud's clock and publishes the change. */
export interface AlertApiModel {
  storage: Pick<Storage, 'alertEntries' | 'alertEntry'>;
  acknowledge(id: string, by: string, note?: string): Promise<AlertEntry>;
  shelve(id: string, by: string, untilMs: number, note?: string): Promise<AlertEntry>;
  unshelve(id: string, by: string): Promise<AlertEntry>;
}

/** HTTP status of the alert lifecycle's typed errors. */
export const ALERT_ERROR_STATUS: Readonly<Record<string, number>> = { E_ALERT_UNKNOWN: 404, E_ALERT_TRANSITION: 409 };

const AlertParams = z.object({ id: IdSchema.describe('Alert id, as GET /api/alert-entries lists it.') });
const EventTimeQuery = z.coerce.number().finite().optional();
const UNKNOWN = 'No alert has this id.';
const TRANSITION = 'The alert\'s state does not allow it (raised → acknowledged → cleared; shelved until unshelved); the message says what it allows.';

export function alertRoutes(cloud: AlertApiModel): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/alert-entries',
      summary: 'Alerts with their lifecycle, newest raised first',
      tags: ['alerts'],
      query: z.object({
        device: IdSchema.optional().describe('Only this device.'),
        state: AlertStateSchema.optional().describe('Only alerts in this state.'),
        rule: z.string().min(1).optional().describe('Only alerts of this rule.'),
        from: EventTimeQuery.describe('Raised at or after this event time, ms since the Unix epoch.'),
        to: EventTimeQuery.describe('Raised at or before this event time, ms since the Unix epoch.'),
        ...PageQueryFields,
      }),
      response: AlertEntryPageSchema,
      handler: ({ query }) =>
        storagePage(() =>
          cloud.storage.alertEntries({
            device: query.device,
            state: query.state,
            rule: query.rule,
            fromMs: query.from,
            toMs: query.to,
            limit: query.limit,
            cursor: query.cursor,
          }),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alert-entries/{id}',
      summary: 'One alert with its history',
      tags: ['alerts'],
      params: AlertParams,
      response: AlertEntrySchema,
      errors: { 404: UNKNOWN },
      handler: async ({ params }) => {
        const entry = await cloud.storage.alertEntry(params.id);
        if (!entry) throw new NotFoundError(`no alert has id "${params.id}"; GET /api/alert-entries lists them`);
        return entry;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/alert-entries/{id}/ack',
      summary: 'Acknowledge an alert',
      tags: ['alerts'],
      params: AlertParams,
      body: AcknowledgeBodySchema.optional(),
      response: AlertEntrySchema,
      errors: { 404: UNKNOWN, 409: TRANSITION },
      handler: ({ params, body }) => cloud.acknowledge(params.id, actorOf(body?.by), body?.note),
    }),
    defineRoute({
      method: 'post',
      path: '/api/alert-entries/{id}/shelve',
      summary: 'Shelve an alert: hold its notifications until a time',
      tags: ['alerts'],
      params: AlertParams,
      body: ShelveBodySchema,
      response: AlertEntrySchema,
      errors: { 404: UNKNOWN, 409: TRANSITION },
      handler: async ({ params, body }) => {
        try {
          return await cloud.shelve(params.id, actorOf(body.by), body.untilMs, body.note);
        } catch (error) {
          // A shelf ending before now is a bad untilMs, named as every bad field is.
          if (error instanceof TwinbedError && error.code === 'E_ALERT_SHELVE_TIME') throw new BadRequestError(`untilMs: ${error.message}`);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/alert-entries/{id}/unshelve',
      summary: 'End a shelf early: back to raised or acknowledged',
      tags: ['alerts'],
      params: AlertParams,
      body: UnshelveBodySchema.optional(),
      response: AlertEntrySchema,
      errors: { 404: UNKNOWN, 409: TRANSITION },
      handler: ({ params, body }) => cloud.unshelve(params.id, actorOf(body?.by)),
    }),
  ];
}
