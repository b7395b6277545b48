import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import path from 'node:path';
import { ConfigError, IdSchema, parseYamlConfig } from '../protocol';
import { PipelinesSchema } from './dsp';
import { EdgeRulesShape, resolveAnomalyPaths } from './edge-config';
import { MetricsConfigSchema } from './metrics';
import { GatewaySecurityConfigSchema, resolveSecurityPaths } from './security';
import { StoreConfigSchema } from './store';

const MqttUrlSchema = z
  .string()
  .regex(/^(mqtts?|tcp|ssl|wss?):\/\/[^\s]+$/, 'expected an MQTT URL such as mqtt://127.0.0.1:1883');

function ListenSchema(defaultPort: number) {
  return z
    .object({
      host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on. Default 127.0.0.1.'),
      port: z.number().int().min(0).max(65_535).default(defaultPort).describe(`Port; 0 picks a free one. Default ${defaultPort}.`),
    })
    .strict()
    .prefault({});
}

export const ProcessingSchema = z
  .object({
    thread: z
      .enum(['main', 'worker'])
      .default('main')
      .describe(
        'Where device payloads are decoded and run through their pipelines, windows, features, local rules and actions: `main`, the thread that also serves MQTT and the store, or `worker`, a thread of its own, so DSP uses a second core while the first takes in and forwards. Same results, in the same order, either way, on the fixed inputs tested. Experimental. A worker that dies is replaced and the inbox processed again from its first row (at most 5 times a minute), and `worker` does not run the anomaly model or verify signed envelopes yet (configure neither). Default main.',
      ),
  })
  .strict()
  .prefault({})
  .describe('How the gateway spreads its work over threads.');

export const GatewayConfigSchema = z
  .object({
    site: IdSchema.default('site-1').describe('Site name, the topic level the gateway serves. Default `site-1`.'),
    id: IdSchema.default('gw-1').describe('Gateway name, used for its status topic and client ids. Default `gw-1`.'),
    devices: z
      .object({
        listen: z
          .object({
            host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on. Default 127.0.0.1.'),
            port: z.number().int().min(0).max(65_535).default(1884).describe('TCP port; 0 picks a free one. Default 1884.'),
          })
          .strict()
          .optional()
          .describe('Broker to embed for devices.'),
        url: MqttUrlSchema.optional().describe('URL of an existing device-side broker.'),
        only: z
          .array(IdSchema)
          .min(1)
          .optional()
          .describe('Serve only these devices: take their telemetry (several gateways can share one device broker) and carry the cloud\'s commands to them. Default: every device of the site.'),
      })
      .strict()
      .refine((d) => !(d.url && d.listen), { message: 'set either url (an existing broker) or listen (embed one), not both' })
      .prefault({})
      .describe('Device side: embed a broker (listen) or use an existing one (url). Default: embed on 127.0.0.1:1884.'),
    upstream: z
      .object({
        url: MqttUrlSchema.describe('URL of the upstream (cloud) broker.'),
      })
      .strict()
      .describe('The cloud side.'),
    statusIntervalS: z.number().positive().default(10).describe('Seconds between retained status messages upstream. Default 10.'),
    reorderHoldMs: z
      .number()
      .min(0)
      .default(2000)
      .describe(
        'A block that arrives after a gap is held until the missing one comes (a resent QoS 1 block arrives after its successors), for at most this many ms of the stream\'s event time; a block later than that is dead-lettered as late. 0 never waits. Default 2000.',
      ),
    http: z
      .object({ listen: ListenSchema(8088) })
      .strict()
      .optional()
      .describe('HTTP batch ingestion (POST /v1/ingest, Basic auth as the device). Default: off.'),
    pipelines: PipelinesSchema.default([]).describe(
      'Preprocessing per sensor: stages, windows, features, deadband, byte budget, raw uplink. Default: vibration (unit g) → 1 s windows with full features and raw around events; slow sensors (≤ 10 Hz) → a record per two blocks; the rest → a record per block; none sends more feature bytes than its readings brought in.',
    ),
    ...EdgeRulesShape,
    processing: ProcessingSchema,
    store: StoreConfigSchema.prefault({}).describe('Offline-first store-and-forward (SQLite). Default: in memory (nothing survives a restart).'),
    metrics: MetricsConfigSchema.optional().describe('Prometheus GET /metrics. Default: off.'),
    security: GatewaySecurityConfigSchema.optional().describe(
      'Authenticate devices, confine them to their own topics, serve them over TLS and verify signed messages. Default: off (an open site).',
    ),
    coap: z
      .object({ listen: ListenSchema(5683) })
      .strict()
      .optional()
      .describe('CoAP ingestion (POST coap://…/v1/ingest?id=&secret=). Default: off.'),
  })
  .strict()
  .refine((c) => !(c.security?.tls && c.devices.url), {
    path: ['security', 'tls'],
    message: 'TLS settings apply to the embedded device broker; with devices.url, configure TLS on that broker instead',
  })
  .refine((c) => c.processing.thread === 'main' || (c.anomaly === undefined && c.security === undefined), {
    path: ['processing', 'thread'],
    message: 'the edge worker does not run the anomaly model or verify device security yet; use thread: main with anomaly or security',
  });

export type GatewayConfig = z.output<typeof GatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;

/** Reads and validates a gateway YAML file, `${VAR}` expanded from the environment; errors name the file, line and field. */
export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  // ${VAR} from the environment: a deployment (or CI) injects broker URLs, ports and paths.
  const config = parseYamlConfig(text, file, GatewayConfigSchema, { env: process.env });
  // Paths in the file are relative to it, wherever the gateway is started from.
  const dir = path.dirname(file);
  const at = (p: string) => path.resolve(dir, p);
  return {
    ...config,
    ...(config.security ? { security: resolveSecurityPaths(config.security, dir) } : {}),
    store: config.store.path === ':memory:' ? config.store : { ...config.store, path: at(config.store.path) },
    ...(config.anomaly ? { anomaly: resolveAnomalyPaths(config.anomaly, dir) } : {}),
  };
}
