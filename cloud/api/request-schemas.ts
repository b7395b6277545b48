import { z } from 'zod';
import { PcaFitOptionsSchema } from '../../ml';
import { IdSchema } from '../../protocol';

// What the REST API's actions take in their bodies, as zod schemas: validated on the way in, and documented under
// components.schemas by their `.meta({ id })`.

/** The API takes no credentials: a person names themselves, and is recorded as `api:<by>`. */
export const DEFAULT_ACTOR = 'anonymous';

const By = z
  .string()
  .regex(/^[^\s:][^\s]{0,63}$/, 'use 1–64 characters without spaces, not starting with ":"')
  .optional()
  .describe(`Who asks, recorded as \`api:<by>\`. Default \`${DEFAULT_ACTOR}\`.`);

/** `api:<by>`, as histories and the audit log record a person. */
export function actorOf(by: string | undefined): string {
  return `api:${by ?? DEFAULT_ACTOR}`;
}

const Note = z.string().min(1).max(1000).optional().describe('Why, for the alert\'s history.');

export const AcknowledgeBodySchema = z.object({ by: By, note: Note }).strict().meta({ id: 'AcknowledgeRequest', description: 'Who acknowledges an alert, and why.' });

export const ShelveBodySchema = z
  .object({ by: By, untilMs: z.number().finite().describe('Hold notifications until this event time, ms since the Unix epoch; after now.'), note: Note })
  .strict()
  .meta({ id: 'ShelveRequest', description: 'Silence an alert until a time.' });

export const UnshelveBodySchema = z.object({ by: By }).strict().meta({ id: 'UnshelveRequest', description: 'End a shelf early.' });

export const CommandBodySchema = z
  .object({
    target: IdSchema.describe('The device or gateway to command; the registry must know it.'),
    site: IdSchema.optional().describe('Site whose cmd topic carries it. Default: the site the registry has for the target.'),
    action: z.string().min(1).max(64).describe('What to do, e.g. `slow-down`, `stop`, `resume`; the Thing Description lists a device\'s actions.'),
    args: z.record(z.string(), z.unknown()).optional().describe('Arguments of the action, e.g. `{ "speedRpm": 900 }`.'),
    by: By,
    reason: z.string().min(1).max(500).describe('Why, for the audit log.'),
  })
  .strict()
  .meta({ id: 'CommandRequest', description: 'A command to send to a device or gateway, audited.' });

const SEMVER = /^\d+\.\d+\.\d+$/;

export const TrainBodySchema = z
  .object({
    devices: z.array(IdSchema).min(1).optional().describe('Devices whose stored windows to train on. Default: every device with windows of `sensor`.'),
    sensor: IdSchema.describe('The one sensor the model scores, e.g. `accel`.'),
    fromMs: z.number().finite().describe('Start of the healthy period, event time ms since the Unix epoch, inclusive.'),
    toMs: z.number().finite().describe('End of the healthy period, event time ms since the Unix epoch, inclusive; after fromMs.'),
    version: z.string().regex(SEMVER, 'expected MAJOR.MINOR.PATCH, e.g. 1.2.0').optional().describe('Version to register; greater than every registered one. Default: the newest bumped by `bump`.'),
    bump: z.enum(['major', 'minor', 'patch']).optional().describe('Which part of the newest version to bump when `version` is not given. Default `minor` (1.0.0 for the first).'),
    fit: PcaFitOptionsSchema.optional().describe('PCA fit options, as `twinbed model fit` takes them. Default: ml\'s.'),
    select: z.array(z.string().min(1)).min(2).optional().describe('Input features in input order. Default: every feature all windows have.'),
  })
  .strict()
  .refine((body) => body.toMs > body.fromMs, { path: ['toMs'], message: 'must be after fromMs' })
  .refine((body) => body.version === undefined || body.bump === undefined, { path: ['bump'], message: 'give a version or a bump, not both' })
  .meta({ id: 'TrainRequest', description: 'Train, sign and register a model on stored healthy windows.' });

export const StageBodySchema = z
  .object({
    gateway: IdSchema.describe('The gateway to stage the model on; the registry must know it as a gateway.'),
    tamper: z.boolean().optional().describe('Flip one byte of the model after signing, as a corrupted download would, to prove the gateway refuses it. Default false.'),
    by: By,
  })
  .strict()
  .meta({ id: 'StageRequest', description: 'Send one gateway a model.stage of a registered version, outside any rollout.' });

export const CancelRolloutBodySchema = z
  .object({ by: By, reason: z.string().min(1).max(500).optional().describe('Why, for the rollout status. Default `cancelled over the API`.') })
  .strict()
  .meta({ id: 'CancelRolloutRequest', description: 'Cancel a rollout: no further gateway is staged or activated.' });
