import { z } from 'zod';
import { ModelManifestSchema } from '../../ml';
import { DeadLetterV1Schema, IdSchema, RawBlockV1Schema } from '../../protocol';
import { GATEWAY_PHASES, ROLLOUT_STATES } from '../lifecycle';
import { pageSchema } from './paging';
import { FeatureRecordSchema } from './schemas';

// What the REST API answers about the cloud's records (alert lifecycles, audit, raw blocks, dead letters, rollups,
// models, rollouts), as zod schemas. Each `.meta({ id })` becomes one entry of components.schemas.

const EventTimeMs = z.number().describe('Event time, ms since the Unix epoch.');
const Count = z.number().int().nonnegative();

export const AlertStateSchema = z
  .enum(['raised', 'acknowledged', 'cleared', 'shelved'])
  .describe('raised → acknowledged → cleared, or shelved (silenced until a time) at any point before cleared.');

export const AlertTransitionSchema = z
  .object({
    state: AlertStateSchema,
    tsMs: EventTimeMs,
    by: z.string().describe('Who: `rule:<name>`, `api:<user>`, `system`.'),
    note: z.string().optional(),
  })
  .strict()
  .meta({ id: 'AlertTransition', description: 'One step of an alert\'s life.' });

export const AlertEntrySchema = z
  .object({
    id: IdSchema.describe('Stable id: the same alert re-derived after a restart keeps it.'),
    rule: z.string(),
    device: IdSchema,
    sensor: IdSchema.optional(),
    kind: z.string().describe('`alert` (a rule), `anomaly` (a model score), `drift`, `absent` (a silent device).'),
    origin: z.enum(['edge', 'cloud']),
    severity: z.enum(['warning', 'critical']),
    state: AlertStateSchema,
    raisedMs: EventTimeMs.describe('Event time it was raised, ms since the Unix epoch.'),
    updatedMs: EventTimeMs.describe('Event time of its latest transition, ms since the Unix epoch.'),
    value: z.number(),
    threshold: z.number(),
    message: z.string(),
    shelvedUntilMs: z.number().optional().describe('While shelved: notifications are held until this event time, ms.'),
    history: z.array(AlertTransitionSchema).describe('Every transition, oldest first.'),
  })
  .strict()
  .meta({ id: 'AlertEntry', description: 'An alert with its lifecycle.' });

export const AuditEntrySchema = z
  .object({
    tsMs: EventTimeMs,
    actor: z.string().describe('`rule:<name>`, `api:<user>`, `rollout:<id>`, `shadow`, `system`.'),
    target: IdSchema.describe('The device or gateway the command went to.'),
    action: z.string(),
    args: z.record(z.string(), z.unknown()).optional(),
    commandId: z.string().optional().describe('The command\'s id on the wire, which its reply carries.'),
    reason: z.string(),
    outcome: z.enum(['sent', 'rate-limited', 'ok', 'refused']).describe('`sent`, `rate-limited` (not sent), `ok` or `refused` (its reply).'),
  })
  .strict()
  .meta({ id: 'AuditEntry', description: 'A command the cloud sent or held back, or the reply to one.' });

const raw = RawBlockV1Schema.shape;
export const RawRecordSchema = z
  .object({
    device: raw.device,
    sensor: raw.sensor,
    seq: raw.seq,
    tsMs: EventTimeMs,
    rateHz: raw.rateHz.describe('Sample rate, Hz.'),
    unit: raw.unit,
    samples: raw.samples.describe('Samples in `data` once decoded.'),
    encoding: raw.encoding.describe('`f32`: little-endian float32; `delta-f32`: successive differences of the float32 bit patterns; `-gzip`: then gzip (RFC 1952).'),
    data: z.string().describe('The encoded samples as the gateway sent them, base64.'),
    receivedMs: z.number().describe('When the cloud stored it, by the cloud clock, ms since the Unix epoch.'),
  })
  .strict()
  .meta({ id: 'RawRecord', description: 'A raw block a gateway uplinked, still encoded.' });

export const DeadLetterSchema = DeadLetterV1Schema.omit({ type: true, v: true })
  .extend({ tsMs: EventTimeMs.describe('When it was rejected, by the rejecting layer\'s clock, ms since the Unix epoch.') })
  .meta({ id: 'DeadLetter', description: 'A message a gateway or the cloud could not decode or validate, with why and its payload (base64).' });

export const RollupSchema = z
  .object({
    device: IdSchema,
    sensor: IdSchema,
    resolution: z.enum(['1m', '1h']),
    bucketMs: EventTimeMs.describe('Start of the bucket, ms since the Unix epoch, a multiple of the resolution.'),
    count: Count.describe('Feature windows folded in.'),
    features: z
      .record(z.string(), z.object({ min: z.number(), max: z.number(), mean: z.number() }).strict())
      .describe('Per feature: min, max and mean over the windows that carried it.'),
  })
  .strict()
  .meta({ id: 'Rollup', description: 'Feature windows of one sensor folded into a one-minute or one-hour bucket.' });

export const ModelInfoSchema = z
  .object({
    version: z.string().describe('Semver, e.g. `1.2.0`.'),
    sha256: z.string().describe('SHA-256 of the ONNX file, hex.'),
    signature: z.string().describe('Ed25519 signature over the ONNX file, base64.'),
    keyId: z.string().describe('The signing key; gateways trust it by this id.'),
    createdMs: EventTimeMs.describe('When it was registered, event time ms.'),
    trainedOn: z.string().describe('What it was trained on.'),
    manifest: ModelManifestSchema.meta({ id: 'ModelManifest', description: 'model.json: spec, threshold and how the fit went.' }),
  })
  .strict()
  .meta({ id: 'ModelInfo', description: 'A signed model version in the registry, without its bytes (model.stage ships those).' });

export const RolloutStatusSchema = z
  .object({
    id: IdSchema,
    version: z.string().describe('Model version rolled out.'),
    state: z.enum(ROLLOUT_STATES),
    group: z.number().int().positive().describe('The latest group started, from 1.'),
    groups: z.number().int().positive().describe('Groups in the rollout.'),
    reason: z.string().optional().describe('Why it paused, finished or was cancelled.'),
    startedMs: EventTimeMs,
    updatedMs: EventTimeMs,
    gateways: z.array(
      z
        .object({
          gateway: IdSchema,
          group: z.number().int().positive().describe('Its group, from 1.'),
          phase: z.enum(GATEWAY_PHASES),
          windows: Count.describe('Live windows scored by the new model so far.'),
          overRate: z.number().min(0).max(1).optional().describe('Fraction of those windows over the model\'s threshold, once judged.'),
          reason: z.string().optional(),
        })
        .strict()
        .meta({ id: 'GatewayRolloutStatus', description: 'One gateway\'s progress in a rollout.' }),
    ),
  })
  .strict()
  .meta({ id: 'RolloutStatus', description: 'A staged model rollout as an operator sees it.' });

export const CommandAcceptedSchema = z
  .object({ id: z.string().describe('The command\'s id on the wire; its audit entries and its reply carry it.') })
  .strict()
  .meta({ id: 'CommandAccepted', description: 'The command was audited and handed to the broker (QoS 1); its reply comes later, in the audit log.' });

export const FeatureRecordPageSchema = pageSchema(FeatureRecordSchema, 'FeatureRecordPage');
export const AlertEntryPageSchema = pageSchema(AlertEntrySchema, 'AlertEntryPage');
export const AuditEntryPageSchema = pageSchema(AuditEntrySchema, 'AuditEntryPage');
export const RawRecordPageSchema = pageSchema(RawRecordSchema, 'RawRecordPage');
export const DeadLetterPageSchema = pageSchema(DeadLetterSchema, 'DeadLetterPage');
export const RollupPageSchema = pageSchema(RollupSchema, 'RollupPage');
export const ModelInfoPageSchema = pageSchema(ModelInfoSchema, 'ModelInfoPage');
export const RolloutStatusPageSchema = pageSchema(RolloutStatusSchema, 'RolloutStatusPage');
