import { z } from 'zod';
import { CommandV1Schema, EventV1Schema, IdSchema } from '../../protocol';

// What the REST API answers, as zod schemas: the OpenAPI document is generated from them, and tests check every
// answer against them. Each `.meta({ id })` becomes one entry of components.schemas.

const EventTimeMs = z.number().describe('Event time, ms since the Unix epoch.');

export const DeviceSummarySchema = z
  .object({
    device: IdSchema,
    sensors: z.array(IdSchema).describe('Sensors with stored readings.'),
    readings: z.number().int().nonnegative().describe('Feature windows stored.'),
    lastTsMs: EventTimeMs,
  })
  .strict()
  .meta({ id: 'DeviceSummary', description: 'A device with stored readings.' });

export const FeatureRecordSchema = z
  .object({
    device: IdSchema,
    sensor: IdSchema,
    seq: z.number().int().nonnegative().describe('Sequence number of the first telemetry block the window summarises.'),
    blocks: z.number().int().positive().optional().describe('Telemetry blocks summarised, seq … seq + blocks − 1. Absent: 1.'),
    tsMs: EventTimeMs,
    windowMs: z.number().positive().describe('Window length, ms.'),
    unit: z.string().describe('Unit of the features; crest, kurtosis and skewness have none.'),
    features: z.record(z.string(), z.number()).describe('Features by name; rms, peak and crest are always there.'),
    receivedMs: z.number().describe('When the cloud stored it, by the cloud clock, ms since the Unix epoch.'),
  })
  .strict()
  .meta({ id: 'FeatureRecord', description: 'One stored features window of one sensor.' });

export const LatestReadingsSchema = z
  .object({ device: IdSchema, sensors: z.record(z.string(), FeatureRecordSchema).describe('The latest window of each sensor, by sensor.') })
  .strict()
  .meta({ id: 'LatestReadings', description: 'The latest window of each sensor of a device.' });

export const AlertRecordSchema = EventV1Schema.omit({ type: true, v: true, kind: true })
  .extend({ kind: EventV1Schema.shape.kind.optional().describe('alert (a threshold rule) or anomaly (a model score). Absent: alert.') })
  .meta({ id: 'AlertRecord', description: 'An alert or anomaly raised or cleared, by the cloud rules or an edge gateway.' });

const Count = z.number().int().nonnegative();

export const StorageCountsSchema = z
  .object({
    features: Count.describe('Feature windows stored.'),
    alerts: Count.describe('Alert state changes stored.'),
    deadLetters: Count.describe('Dead letters stored.'),
    raw: Count.describe('Raw blocks stored.'),
  })
  .loose()
  .meta({ id: 'StorageCounts', description: 'What storage holds, by kind.' });

// Loose: a counter the pipeline adds shows up before this schema names it.
export const CloudStatsSchema = z
  .object({
    received: Count.describe('Data received from gateways (windows, raw blocks, edge events, dead letters), valid or not.'),
    controlReceived: Count.describe('Status and reply messages received.'),
    stored: Count.describe('Feature windows stored (first copy of each key).'),
    duplicatesDropped: Count.describe('Feature windows dropped: their (device, sensor, seq) was stored already.'),
    deadLettered: Count.describe('Dead letters stored, from any stage.'),
    alertsRaised: Count.describe('Alerts the cloud rules raised.'),
    rawStored: Count.describe('Raw blocks stored (first copy of each key).'),
    edgeEvents: Count.describe('Alerts and anomalies edge gateways reported.'),
    commits: Count.describe('Ingest transactions committed.'),
    commitRetries: Count.describe('Ingest commits that failed and were retried (a database restarting).'),
    commandsSent: Count.describe('Commands the cloud sent: rules, rollouts, the API, shadows.'),
    commandsLimited: Count.describe('Commands a rule\'s rate limit held back (audited, not sent).'),
    storage: StorageCountsSchema,
  })
  .loose()
  .meta({ id: 'CloudStats', description: 'The cloud pipeline counters and what storage holds.' });

export const RegistryEntrySchema = z
  .object({
    id: IdSchema,
    kind: z.enum(['device', 'gateway']),
    site: IdSchema,
    online: z.boolean().describe('Gateways: from their status and last will. Devices: while their gateway is online and they keep sending.'),
    lastSeenMs: z.number().describe('Event time of the last message from or about it, ms since the Unix epoch.'),
    gateway: IdSchema.optional().describe('The gateway a device was last heard through.'),
    sensors: z.array(IdSchema).describe('Sensors a device has reported.'),
  })
  .strict()
  .meta({ id: 'RegistryEntry', description: 'A device or gateway the cloud has heard of.' });

const StateSchema = z.record(z.string(), z.unknown());

export const ShadowSchema = z
  .object({
    device: IdSchema,
    reported: StateSchema.describe('What it reports: gateways state, counters and model; devices the latest window per sensor under sensors.'),
    desired: StateSchema.describe('What it is asked to reach.'),
    delta: StateSchema.describe('Desired keys whose value differs from the reported one.'),
    reportedMs: z.number().describe('Event time of the latest reported change, ms.'),
    desiredMs: z.number().describe('Event time of the latest desired change, ms.'),
    version: z.number().int().nonnegative().describe('Increments on every change; send it back with a desired change to detect a concurrent one.'),
  })
  .strict()
  .meta({ id: 'Shadow', description: 'Reported and desired state of a device or gateway.' });

export const DesiredPatchSchema = z
  .object({
    desired: StateSchema.describe('Keys to change, merged as RFC 7386 JSON Merge Patch: null deletes a key. speedRpm on a pump or fan also ramps it.'),
    version: z.number().int().nonnegative().optional().describe('The shadow version the change is based on; 409 if it is no longer current.'),
  })
  .strict()
  .meta({ id: 'DesiredPatch', description: 'A change to the desired state.' });

export const DesiredUpdateSchema = z
  .object({
    shadow: ShadowSchema,
    commands: z.array(CommandV1Schema.meta({ id: 'CommandV1' })).describe('The commands sent to deliver it, shadow.desired first.'),
  })
  .strict()
  .meta({ id: 'DesiredUpdate', description: 'The shadow after the change, and the commands sent to deliver it.' });

export const ThingDescriptionSchema = z
  .object({
    '@context': z.array(z.union([z.string(), z.record(z.string(), z.string())])).min(1),
    id: z.string().describe('urn:twinbed:<site>:<device>'),
    title: z.string(),
    description: z.string(),
    securityDefinitions: z.record(z.string(), z.object({ scheme: z.string() }).loose()),
    security: z.array(z.string()).min(1),
    properties: z.record(z.string(), z.record(z.string(), z.unknown())),
    actions: z.record(z.string(), z.record(z.string(), z.unknown())),
    events: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .loose()
  .meta({ id: 'ThingDescription', description: 'A W3C WoT Thing Description 1.1 (https://www.w3.org/TR/wot-thing-description11/).' });

export const OpenApiDocumentSchema = z
  .object({ openapi: z.literal('3.1.0'), info: z.record(z.string(), z.unknown()), paths: z.record(z.string(), z.unknown()) })
  .loose()
  .meta({ id: 'OpenApiDocument', description: 'This document: the OpenAPI 3.1 description of the REST API.' });
