import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, parseYamlConfig } from '../protocol';
import { CloudRulesSchema } from './analytics/rule-schema';
import { DriftPolicySchema } from './lifecycle/drift-policy';

const ShareGroupSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, "_" or "-"');

/** `twinbed cloud --config cloud.yaml`: one cloud process. */
export const CloudConfigSchema = z
  .object({
    broker: z
      .object({
        url: z.string().min(1).describe('The broker gateways publish to, e.g. `mqtt://127.0.0.1:1884`. Required.'),
        clientId: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}$/)
          .default('twinbed-cloud')
          .describe('MQTT client id. The session is persistent (clean: false): keep the id across restarts, and give each cloud process its own. Default `twinbed-cloud`.'),
        shareGroup: ShareGroupSchema.optional().describe(
          'Share ingest with other cloud processes: subscribe through `$share/<group>/…`, so the broker hands each message to one of them. Default: not shared.',
        ),
        site: z.string().min(1).optional().describe('Take only this site\'s topics. Default: every site.'),
      })
      .strict()
      .describe('Where the cloud takes data from, and sends commands to.'),
    storage: z
      .string()
      .min(1)
      .default('sqlite:twinbed-cloud.db')
      .describe('`sqlite:PATH` (relative to this file), `:memory:`, or `postgres://user:pass@host:port/db`. Default `sqlite:twinbed-cloud.db`.'),
    http: z
      .object({
        host: z.string().default('127.0.0.1').describe('Interface of the REST API. Default 127.0.0.1.'),
        port: z.number().int().min(0).max(65_535).default(8081).describe('Port of the REST API; 0 picks a free one. Default 8081.'),
      })
      .strict()
      .optional()
      .describe('Serve the REST API (and /api/openapi.json). Default: off.'),
    rules: CloudRulesSchema.default([]).describe('Alert rules on the windows gateways send. Default none.'),
    retention: z
      .object({
        rawDays: z.number().positive().default(30).describe('Keep feature windows and raw blocks this many days, then roll them up. Default 30.'),
        minuteDays: z.number().positive().default(365).describe('Keep 1-minute rollups this many days; 1-hour rollups stay. Default 365.'),
        everyS: z.number().positive().default(3600).describe('Compact this often, seconds of event time. Default 3600.'),
      })
      .strict()
      .optional()
      .describe('Retention and downsampling. Default: keep everything.'),
    models: z
      .object({
        signingKey: z.string().min(1).describe('Ed25519 private key, PKCS8 PEM file (`twinbed model keygen`), relative to this file. Required.'),
        keyId: z.string().min(1).describe('Its id, as gateways list it under `anomaly.trustedKeys`. Required.'),
      })
      .strict()
      .optional()
      .describe('Model registry signing. Default: no registry (models cannot be trained or rolled out).'),
    drift: DriftPolicySchema.optional().describe('Drift detection against the active model\'s training reference. Default off.'),
  })
  .strict();

export type CloudConfig = z.output<typeof CloudConfigSchema>;
export type CloudConfigInput = z.input<typeof CloudConfigSchema>;

/** Reads and validates a cloud config; paths in it are resolved against its folder, `${VAR}`s from the environment. */
export async function loadCloudConfig(file: string): Promise<CloudConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  const config = parseYamlConfig(text, file, CloudConfigSchema, { env: process.env });
  const dir = path.dirname(file);
  const sqlitePath = config.storage.startsWith('sqlite:') ? config.storage.slice('sqlite:'.length) : undefined;
  const storage = sqlitePath !== undefined && sqlitePath !== ':memory:' ? `sqlite:${path.resolve(dir, sqlitePath)}` : config.storage;
  return {
    ...config,
    storage,
    ...(config.models ? { models: { ...config.models, signingKey: path.resolve(dir, config.models.signingKey) } } : {}),
  };
}
