import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudConfigSchema, loadCloudConfig } from '../../cloud';
import { createDeviceEntry, GatewayConfigSchema, loadGatewayConfig, parseRegistry } from '../../gateway';
import { ConfigError, parseYamlConfig } from '../../protocol';
import { loadScenario, loadTarget, parseScenario, TargetSchema } from '../../scenarios';
import { ProxyImpairmentsFileSchema } from '../../sim';
import { runs, timeoutMs } from './fuzz-settings';
import { applyStructuralEdit, applyYamlEdits, structuralEdit, yamlEdit } from './yaml-mutations';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** What `${VAR}`s in the seeds expand to (the target schema and the file loaders read them from process.env). */
const ENV: Record<string, string> = { TWINBED_DEVICE_URL: 'mqtt://127.0.0.1:1883', TWINBED_UPSTREAM_URL: 'mqtt://127.0.0.1:1884', TWINBED_OBSERVE_URL: 'mqtt://127.0.0.1:1885' };

const GATEWAY_SEED = `site: plant-a
id: gw-1
devices:
  listen: { host: 127.0.0.1, port: 1884 }
upstream:
  url: mqtt://127.0.0.1:1883
statusIntervalS: 10
store:
  outbox: { maxBytes: 268435456, dropPolicy: drop-lowest-priority-oldest }
pipelines:
  - sensors: [accel]
    stages: [{ type: highpass, cutoffHz: 2 }]
    window: { seconds: 1, function: hann }
    features:
      stats: [rms, peak, crest, kurtosis, skewness]
      bandsHz: [[10, 1000], [1000, 5000]]
    rawUplink: { mode: around-events, preS: 2, postS: 2, encoding: delta-f32-gzip }
rules:
  - { name: accel-rms-high, metric: rms, sensor: accel, above: 0.2 }
actions:
  - { on: accel-rms-high, action: stop }
http: { listen: { port: 8088 } }
metrics: { listen: { port: 9464 } }
`;

const CLOUD_SEED = `broker:
  url: \${TWINBED_UPSTREAM_URL}
  clientId: cloud-1
  shareGroup: ingest
storage: sqlite:cloud.db
http: { host: 127.0.0.1, port: 8081 }
retention: { rawDays: 30, minuteDays: 365, everyS: 3600 }
`;

const PROXY_SEED = `both: { latencyMs: 20 }
up: { loss: 0.1, latencyMs: 50 }
schedule:
  - { link: up, atS: 10, partition: true }
  - { link: down, atS: 20, latencyMs: 5 }
`;

interface Loader {
  name: string;
  parse(text: string, file: string): unknown;
  /** The same through the loader that reads a file, where there is one. */
  load?(file: string): Promise<unknown>;
  seeds: string[];
}

const loaders: Loader[] = [
  { name: 'scenario', parse: (text, file) => parseScenario(text, file), load: loadScenario, seeds: [] },
  { name: 'target', parse: (text, file) => parseYamlConfig(text, file, TargetSchema), load: loadTarget, seeds: [] },
  { name: 'gateway config', parse: (text, file) => parseYamlConfig(text, file, GatewayConfigSchema, { env: ENV }), load: loadGatewayConfig, seeds: [GATEWAY_SEED] },
  { name: 'cloud config', parse: (text, file) => parseYamlConfig(text, file, CloudConfigSchema, { env: ENV }), load: loadCloudConfig, seeds: [CLOUD_SEED] },
  { name: 'proxy impairments', parse: (text, file) => parseYamlConfig(text, file, ProxyImpairmentsFileSchema), seeds: [PROXY_SEED] },
  { name: 'device registry', parse: (text, file) => parseRegistry(text, file), seeds: [] },
];
const byName = (name: string) => loaders.find((l) => l.name === name)!;

/** A loader's outcome on `text`: a value, or a ConfigError that names the file, and each issue's line, field and message. */
function expectValueOrConfigError(loader: Loader, text: string, file: string): void {
  try {
    loader.parse(text, file);
  } catch (error) {
    expectConfigError(error, text, file);
  }
}

function expectConfigError(error: unknown, text: string, file: string): void {
  if (!(error instanceof ConfigError)) throw error;
  expect(error.code).toBe('E_CONFIG');
  expect(error.file).toBe(file);
  expect(error.message.startsWith(file)).toBe(true);
  expect(error.issues.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const issue of error.issues) {
    expect(typeof issue.path).toBe('string');
    expect(issue.message.trim()).not.toBe('');
    expect(Number.isInteger(issue.line), `${file}: no line for "${issue.path}: ${issue.message}"`).toBe(true);
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.line).toBeLessThanOrEqual(lines);
  }
}

let dir: string;
const envBefore: Record<string, string | undefined> = {};
beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) {
    envBefore[name] = process.env[name];
    process.env[name] = value;
  }
  dir = await mkdtemp(path.join(tmpdir(), 'twinbed-fuzz-yaml-'));
  const yamlIn = async (folder: string) => (await readdir(path.join(ROOT, folder))).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, folder, f));
  const scenarioFiles = [
    ...(await yamlIn('scenarios')),
    ...(await yamlIn('scenarios/library')),
    ...(await yamlIn('test/fixtures/suites/basic')),
    ...(await yamlIn('test/fixtures/recordings')),
  ];
  byName('scenario').seeds.push(...(await Promise.all(scenarioFiles.map((f) => readFile(f, 'utf8')))));
  byName('target').seeds.push(await readFile(path.join(ROOT, 'scenarios/targets/external.yaml'), 'utf8'), 'kind: embedded\n');
  byName('gateway config').seeds.push(await readFile(path.join(ROOT, 'scenarios/targets/twinbed-gateway.yaml'), 'utf8'));
  const device = await createDeviceEntry('pump-1', 'a-secret-of-16-chars', { hmacKey: new Uint8Array(32).fill(7), requireHmac: true });
  byName('device registry').seeds.push(stringify({ devices: [device, { ...device, id: 'pump-2', cert: 'pump-2-cn' }] }));
  for (const loader of loaders) expect(loader.seeds.length, loader.name).toBeGreaterThan(0);
});
afterAll(async () => {
  for (const [name, value] of Object.entries(envBefore)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('YAML loaders return a value or throw a ConfigError naming file, line, field and message', () => {
  for (const loader of loaders) {
    describe(loader.name, () => {
      it('every seed file loads as it is', () => {
        for (const seed of loader.seeds) loader.parse(seed, `${loader.name}.yaml`);
      });

      it('on seed files with lines deleted, repeated, swapped, re-indented, cut, or values swapped for hostile scalars', { timeout: timeoutMs(20_000) }, () => {
        fc.assert(
          fc.property(fc.constantFrom(...loader.seeds), fc.array(yamlEdit, { minLength: 1, maxLength: 4 }), (seed, edits) => {
            expectValueOrConfigError(loader, applyYamlEdits(seed, edits), 'fuzz/mutated.yaml');
          }),
          runs(60, 3000),
        );
      });

      it('on seed files with a value anywhere replaced by the wrong type, deleted, or given an extra key', { timeout: timeoutMs(20_000) }, () => {
        fc.assert(
          fc.property(fc.constantFrom(...loader.seeds), structuralEdit, (seed, edit) => {
            expectValueOrConfigError(loader, applyStructuralEdit(seed, edit), 'fuzz/structural.yaml');
          }),
          runs(30, 2000),
        );
      });

      it('on arbitrary text', () => {
        const yamlish = fc.string({ unit: fc.oneof(fc.constantFrom(':', ' ', '\n', '-', '[', ']', '{', '}', '&', '*', '!', '|', '>', '#', "'", '"', ',', '?', '%', '@', '\t', 'a', '1'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 200 });
        fc.assert(fc.property(fc.oneof(yamlish, fc.string({ unit: 'binary', maxLength: 200 })), (text) => expectValueOrConfigError(loader, text, 'fuzz/arbitrary.yaml')), runs(80, 5000));
      });
    });
  }
});

describe('the file loaders, on mutated files on disk', () => {
  for (const loader of loaders.filter((l) => l.load)) {
    it(`${loader.name}: the same outcomes as parsing, with the file's own name`, { timeout: timeoutMs(20_000) }, async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...loader.seeds), fc.array(yamlEdit, { minLength: 1, maxLength: 3 }), async (seed, edits) => {
          const file = path.join(dir, `${loader.name.replace(/ /g, '-')}-${n++}.yaml`);
          const text = applyYamlEdits(seed, edits);
          await writeFile(file, text);
          try {
            await loader.load!(file);
          } catch (error) {
            expectConfigError(error, text, file);
          }
        }),
        runs(8, 500),
      );
    });
  }
});
