import { z } from 'zod';
import { IdSchema } from '../../protocol';
import type { CommandOrder } from '../command-sender';
import type { RegistryEntry } from '../records';
import { UnknownDeviceError } from '../registry';
import type { Storage } from '../storage';
import { PageQueryFields, storagePage } from './paging';
import { AuditEntryPageSchema, CommandAcceptedSchema } from './record-schemas';
import { actorOf, CommandBodySchema } from './request-schemas';
import { defineRoute, type Route } from './route';

/** What the command and audit routes use; a Cloud is one. */
export interface OpsApiModel {
  storage: Pick<Storage, 'auditLog'>;
  /** Where a target's site comes from, and whether the cloud knows it at all. */
  registry: { entry(id: string): Promise<RegistryEntry | undefined> };
  /** Sends one command now and audits it; returns its id. */
  commands: { send(order: CommandOrder): Promise<string> };
}

const EventTimeQuery = z.coerce.number().finite().optional();

export function opsRoutes(cloud: OpsApiModel): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/commands',
      summary: 'Send a device or gateway a command, audited as sent by `api:<by>`',
      description: 'Answers once the command is audited and handed to the broker (QoS 1); its reply is audited when it comes back.',
      tags: ['commands'],
      body: CommandBodySchema,
      response: CommandAcceptedSchema,
      status: 202,
      errors: { 404: 'The registry has never heard from the target.' },
      handler: async ({ body }) => {
        const entry = await cloud.registry.entry(body.target);
        if (!entry) throw new UnknownDeviceError(body.target);
        const id = await cloud.commands.send({
          site: body.site ?? entry.site,
          target: body.target,
          action: body.action,
          ...(body.args ? { args: body.args } : {}),
          actor: actorOf(body.by),
          reason: body.reason,
        });
        return { id };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit',
      summary: 'The audit log: every command sent or held back, and every reply, oldest first',
      tags: ['commands'],
      query: z.object({
        target: IdSchema.optional().describe('Only commands to this device or gateway.'),
        actor: z.string().min(1).optional().describe('Only this actor, e.g. `api:alice`, `rule:accel-rms-high`, `rollout:r1`.'),
        from: EventTimeQuery.describe('Earliest event time, inclusive, ms since the Unix epoch.'),
        to: EventTimeQuery.describe('Latest event time, inclusive, ms since the Unix epoch.'),
        ...PageQueryFields,
      }),
      response: AuditEntryPageSchema,
      handler: ({ query }) =>
        storagePage(() => cloud.storage.auditLog({ target: query.target, actor: query.actor, fromMs: query.from, toMs: query.to, limit: query.limit, cursor: query.cursor })),
    }),
  ];
}
