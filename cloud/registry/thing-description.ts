import { z } from 'zod';
import { CommandV1Schema, EventV1Schema, ReplyV1Schema, StatusV1Schema, topics } from '../../protocol';
import type { RegistryEntry, Shadow } from '../records';
import { actionsOf, type ActionSpec } from './device-actions';
import { isPlainObject } from './json-merge-patch';

/** [WoT TD 1.1 §5.3.1.1] the context URI every TD 1.1 starts its `@context` with. */
export const TD_CONTEXT = 'https://www.w3.org/2022/wot/td/v1.1';
/** Namespace of the MQTT binding's form terms (WoT Binding Templates, MQTT binding context.jsonld). */
export const MQTT_VOCABULARY = 'https://www.w3.org/2019/wot/mqtt#';

export interface ThingDescriptionOptions {
  /** Origin of the REST API, e.g. `http://127.0.0.1:8080`; the HTTP forms' hrefs start with it. */
  baseUrl: string;
  /** The cloud's broker, e.g. `mqtt://127.0.0.1:1883`. Unset: no MQTT forms, so no actions or events (nothing else reaches them). */
  brokerUrl?: string;
}

/** A TD data schema: JSON Schema terms plus the TD's own (readOnly, observable, unit). */
export type DataSchema = Record<string, unknown>;

/** [WoT TD 1.1 §5.3.4.2] where and how to perform an operation; `mqv:`/`htv:` terms come from the protocol bindings. */
export type Form = {
  href: string;
  op: string[];
  contentType: string;
  [term: string]: unknown;
};

/** [WoT TD 1.1 §5.3.1.2] what every property, action and event has. */
export type InteractionAffordance = {
  title: string;
  description: string;
  forms: Form[];
};

export type PropertyAffordance = InteractionAffordance &
  DataSchema & {
    readOnly: boolean;
    observable: boolean;
  };

export type ActionAffordance = InteractionAffordance & {
  input: DataSchema;
  safe: boolean;
  idempotent: boolean;
};

export type EventAffordance = InteractionAffordance & {
  data: DataSchema;
};

/** A W3C WoT Thing Description 1.1 of one device or gateway. */
export type ThingDescription = {
  '@context': [typeof TD_CONTEXT, { mqv: typeof MQTT_VOCABULARY }];
  id: string;
  title: string;
  description: string;
  securityDefinitions: Record<string, { scheme: string; description?: string }>;
  security: string[];
  properties: Record<string, PropertyAffordance>;
  actions: Record<string, ActionAffordance>;
  events: Record<string, EventAffordance>;
};

/** Features in no unit (gateway/dsp/stats.ts); every other feature is in the sensor's unit (protocol FeaturesV1). */
const DIMENSIONLESS: ReadonlySet<string> = new Set(['crest', 'kurtosis', 'skewness']);
/** rms, peak and crest are in every features message. */
const BASE_FEATURES = ['rms', 'peak', 'crest'];
/** Gateways send feature windows as CBOR upstream (gateway/edge-processor.ts), events, status and replies as JSON. */
const CBOR = 'application/cbor';
const JSON_TYPE = 'application/json';

/**
 * The W3C WoT Thing Description of a registry entry: a device's sensors as read-only observable properties (HTTP GET of
 * their latest window, MQTT subscription to their features topic), the commands it takes as actions (MQTT publish on
 * its cmd topic) and its alerts as an event; a gateway's status, model commands and replies.
 */
export function thingDescription(entry: RegistryEntry, shadow: Shadow | undefined, options: ThingDescriptionOptions): ThingDescription {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const broker = options.brokerUrl === undefined ? undefined : brokerHref(options.brokerUrl);
  const path = `${baseUrl}/api/devices/${encodeURIComponent(entry.id)}`;
  const what = entry.kind === 'gateway' ? 'edge gateway' : 'device';
  const via = entry.gateway ? `, reached through gateway ${entry.gateway}` : '';

  const properties: Record<string, PropertyAffordance> = {};
  if (entry.kind === 'device') {
    for (const sensor of entry.sensors) properties[sensor] = sensorProperty(entry, sensor, reportedSensor(shadow, sensor), path, broker);
  } else if (broker) {
    properties.status = statusProperty(entry, broker);
  }
  properties.shadow = {
    title: 'shadow',
    description: `Reported and desired state of ${entry.id}, with the delta between them and the version to send back when changing desired.`,
    type: 'object',
    readOnly: true,
    observable: false,
    forms: [{ href: `${path}/shadow`, op: ['readproperty'], contentType: JSON_TYPE, 'htv:methodName': 'GET' }],
  };

  const actions: Record<string, ActionAffordance> = {};
  const events: Record<string, EventAffordance> = {};
  if (broker) {
    for (const [name, spec] of Object.entries(actionsOf(entry))) actions[name] = action(entry, name, spec, broker);
    if (entry.kind === 'device') {
      events.alert = {
        title: 'alert',
        description: `Alerts and anomalies raised and cleared on ${entry.id}, by its gateway or by the cloud's rules.`,
        data: jsonSchemaOf(EventV1Schema),
        forms: [subscribeForm(broker, topics.event(entry.site, entry.id), JSON_TYPE, ['subscribeevent', 'unsubscribeevent'])],
      };
    } else {
      events.reply = {
        title: 'reply',
        description: `${entry.id}'s answer to each command, matched to it by id; a refusal carries its code and reasons.`,
        data: jsonSchemaOf(ReplyV1Schema),
        forms: [subscribeForm(broker, topics.reply(entry.site, entry.id), JSON_TYPE, ['subscribeevent', 'unsubscribeevent'])],
      };
    }
  }

  return {
    '@context': [TD_CONTEXT, { mqv: MQTT_VOCABULARY }],
    id: `urn:twinbed:${entry.site}:${entry.id}`,
    title: entry.id,
    description: `${entry.id}: ${what} at site ${entry.site}${via}.`,
    // The testbed's REST API and brokers take no credentials.
    securityDefinitions: { nosec_sc: { scheme: 'nosec', description: 'The testbed REST API and brokers take no credentials.' } },
    security: ['nosec_sc'],
    properties,
    actions,
    events,
  };
}

function sensorProperty(entry: RegistryEntry, sensor: string, latest: ReportedSensorView, path: string, broker: string | undefined): PropertyAffordance {
  const unit = latest.unit;
  const names = [...new Set([...BASE_FEATURES, ...latest.features])];
  const features = Object.fromEntries(
    names.map((name) => [name, { type: 'number', ...(unit && !DIMENSIONLESS.has(name) ? { unit } : {}) }]),
  );
  const forms: Form[] = [{ href: `${path}/latest/${encodeURIComponent(sensor)}`, op: ['readproperty'], contentType: JSON_TYPE, 'htv:methodName': 'GET' }];
  if (broker) forms.push(subscribeForm(broker, topics.features(entry.site, entry.id, sensor), CBOR, ['observeproperty', 'unobserveproperty']));
  return {
    title: sensor,
    description: `Latest features window of ${entry.id}/${sensor}: statistics of the signal over windowMs from tsMs.`,
    type: 'object',
    readOnly: true,
    observable: true,
    ...(unit ? { unit } : {}),
    properties: {
      device: { type: 'string', const: entry.id },
      sensor: { type: 'string', const: sensor },
      seq: { type: 'integer', minimum: 0, description: 'Sequence number of the first telemetry block in the window.' },
      tsMs: { type: 'number', unit: 'ms', description: 'Event time of the window start, ms since the Unix epoch.' },
      windowMs: { type: 'number', unit: 'ms', description: 'Window length, ms.' },
      unit: { type: 'string', description: 'Unit of the features (crest, kurtosis and skewness have none).' },
      features: { type: 'object', properties: features, required: BASE_FEATURES },
    },
    required: ['device', 'sensor', 'seq', 'tsMs', 'windowMs', 'unit', 'features'],
    forms,
  };
}

function statusProperty(entry: RegistryEntry, broker: string): PropertyAffordance {
  return {
    title: 'status',
    description: `Whether ${entry.id} is online, with its counters; retained, and set to offline by its last will when it dies.`,
    ...jsonSchemaOf(StatusV1Schema),
    readOnly: true,
    observable: true,
    // A retained topic can be read as well as observed (WoT MQTT binding, possible mappings).
    forms: [{ ...subscribeForm(broker, topics.status(entry.site, entry.id), JSON_TYPE, ['readproperty', 'observeproperty', 'unobserveproperty']), 'mqv:retain': true }],
  };
}

function action(entry: RegistryEntry, name: string, spec: ActionSpec, broker: string): ActionAffordance {
  const message = CommandV1Schema.extend({ device: z.literal(entry.id), action: z.literal(name), args: spec.args.optional() });
  return {
    title: name,
    description: `${spec.description} Publish a cmd message with action "${name}" on the cmd topic.`,
    input: jsonSchemaOf(message),
    safe: name === 'model.status',
    idempotent: name === 'model.status' || name === 'stop',
    forms: [{ href: broker, op: ['invokeaction'], contentType: JSON_TYPE, 'mqv:topic': topics.cmd(entry.site, entry.id), 'mqv:qos': 'quality:1' }],
  };
}

function subscribeForm(broker: string, filter: string, contentType: string, op: string[]): Form {
  return { href: broker, op, contentType, 'mqv:filter': filter, 'mqv:qos': 'quality:1' };
}

interface ReportedSensorView {
  unit?: string;
  features: string[];
}

/** What the shadow knows of a sensor: its unit and the features its windows carried. */
function reportedSensor(shadow: Shadow | undefined, sensor: string): ReportedSensorView {
  const sensors = shadow?.reported.sensors;
  const latest = isPlainObject(sensors) ? sensors[sensor] : undefined;
  if (!isPlainObject(latest)) return { features: [] };
  return {
    ...(typeof latest.unit === 'string' ? { unit: latest.unit } : {}),
    features: isPlainObject(latest.features) ? Object.keys(latest.features) : [],
  };
}

/** [WoT MQTT binding, URL format] `mqtt://host:port` or `mqtts://…`, without a path: topics go in mqv:topic/mqv:filter. */
function brokerHref(brokerUrl: string): string {
  const url = new URL(brokerUrl);
  const scheme = url.protocol === 'tcp:' ? 'mqtt:' : url.protocol === 'ssl:' || url.protocol === 'tls:' ? 'mqtts:' : url.protocol;
  return `${scheme}//${url.host}`;
}

function jsonSchemaOf(schema: z.ZodType): DataSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as DataSchema;
  return rest;
}
