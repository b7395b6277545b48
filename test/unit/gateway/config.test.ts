import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConfigSchema, loadGatewayConfig } from '../../../gateway/index';
import { ConfigError } from '../../../protocol/index';

let dir: string;
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'twinbed-gateway-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `lines` to a fresh YAML file under the temp folder and returns its path. */
async function yamlFile(...lines: string[]): Promise<string> {
  const file = path.join(dir, `gateway-${++files}.yaml`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** The ConfigError that loading `file` rejects with. */
async function configErrorOf(file: string): Promise<ConfigError> {
  const error: unknown = await loadGatewayConfig(file).then(
    () => new Error(`expected ${file} to be rejected, but it validated`),
    (e: unknown) => e,
  );
  if (error instanceof ConfigError) return error;
  throw error;
}

describe('loadGatewayConfig on valid files', () => {
  it('fills every default around the one required field, upstream.url', async () => {
    const file = await yamlFile('upstream:', '  url: mqtt://127.0.0.1:1883');
    expect(await loadGatewayConfig(file)).toEqual({
      site: 'site-1',
      id: 'gw-1',
      devices: {},
      upstream: { url: 'mqtt://127.0.0.1:1883' },
      statusIntervalS: 10,
      reorderHoldMs: 2000,
      processing: { thread: 'main' },
      // The edge defaults: no declared pipelines (the defaults by unit and rate apply), no local rules, an in-memory store.
      pipelines: [],
      rules: [],
      actions: [],
      store: { path: ':memory:', synchronous: 'normal', outbox: { maxBytes: 268_435_456, dropPolicy: 'drop-lowest-priority-oldest' }, inbox: { maxPendingRows: 65_536, maxPendingBytes: 268_435_456 }, commitMaxRows: 512, forwarder: { maxInFlight: 64, pageSize: 256 } },
    });
    const config = await loadGatewayConfig(file);
    expect(config.devices.listen).toBeUndefined();
    expect(config.devices.url).toBeUndefined();
  });

  it('fills host 127.0.0.1 and port 1884 into an empty devices.listen', async () => {
    const file = await yamlFile('devices:', '  listen: {}', 'upstream:', '  url: mqtt://cloud.example:1883');
    const config = await loadGatewayConfig(file);
    expect(config.devices).toEqual({ listen: { host: '127.0.0.1', port: 1884 } });
  });

  it('keeps explicit values, including an existing device broker url', async () => {
    const file = await yamlFile(
      'site: plant-a',
      'id: edge-7',
      'devices:',
      '  url: mqtts://devices.example:8883',
      'upstream:',
      '  url: mqtt://cloud.example:1883',
      'statusIntervalS: 2.5',
    );
    expect(await loadGatewayConfig(file)).toEqual({
      site: 'plant-a',
      id: 'edge-7',
      devices: { url: 'mqtts://devices.example:8883' },
      upstream: { url: 'mqtt://cloud.example:1883' },
      statusIntervalS: 2.5,
      reorderHoldMs: 2000,
      processing: { thread: 'main' },
      pipelines: [],
      rules: [],
      actions: [],
      store: { path: ':memory:', synchronous: 'normal', outbox: { maxBytes: 268_435_456, dropPolicy: 'drop-lowest-priority-oldest' }, inbox: { maxPendingRows: 65_536, maxPendingBytes: 268_435_456 }, commitMaxRows: 512, forwarder: { maxInFlight: 64, pageSize: 256 } },
    });
  });
});

describe('loadGatewayConfig on invalid files', () => {
  it('reports a typo as file:LINE devices.lisen: unknown field (did you mean "listen"?)', async () => {
    const file = await yamlFile('site: plant-a', 'devices:', '  lisen:', '    port: 1885', 'upstream:', '  url: mqtt://127.0.0.1:1883');
    const error = await configErrorOf(file);
    expect(error.message).toBe(`${file}:3 devices.lisen: unknown field (did you mean "listen"?)`);
    expect(error.file).toBe(file);
    expect(error.code).toBe('E_CONFIG');
    expect(error.issues).toEqual([{ line: 3, path: 'devices.lisen', message: 'unknown field (did you mean "listen"?)' }]);
  });

  it('rejects setting both devices.url and devices.listen and says to set one', async () => {
    const file = await yamlFile(
      'upstream:',
      '  url: mqtt://127.0.0.1:1883',
      'devices:',
      '  url: mqtt://127.0.0.1:1884',
      '  listen:',
      '    port: 1885',
    );
    const error = await configErrorOf(file);
    expect(error.message).toBe(`${file}:3 devices: set either url (an existing broker) or listen (embed one), not both`);
  });

  it('reports a missing upstream at the document and a bad URL at its line', async () => {
    const missing = await configErrorOf(await yamlFile('site: plant-a'));
    expect(missing.issues).toEqual([expect.objectContaining({ path: 'upstream', line: 1 })]);
    const badUrl = await yamlFile('site: plant-a', 'upstream:', '  url: http://127.0.0.1:1883');
    expect((await configErrorOf(badUrl)).message).toBe(`${badUrl}:3 upstream.url: expected an MQTT URL such as mqtt://127.0.0.1:1883`);
  });

  it('rejects a non-positive statusIntervalS and a port out of range, each at its line', async () => {
    const file = await yamlFile('upstream:', '  url: mqtt://127.0.0.1:1883', 'statusIntervalS: 0', 'devices:', '  listen:', '    port: 70000');
    const error = await configErrorOf(file);
    expect(error.issues.map((i) => `${i.line} ${i.path}`).sort()).toEqual(['3 statusIntervalS', '6 devices.listen.port']);
  });

  it('gives a ConfigError naming the file when it does not exist', async () => {
    const file = path.join(dir, 'no-such-gateway.yaml');
    const error = await configErrorOf(file);
    expect(error.file).toBe(file);
    expect(error.message).toBe(`${file}: cannot read the file (ENOENT)`);
  });
});

describe('GatewayConfigSchema', () => {
  it('applies the same defaults to an object as to a file', () => {
    expect(GatewayConfigSchema.parse({ upstream: { url: 'tcp://10.0.0.2:1883' } })).toEqual({
      site: 'site-1',
      id: 'gw-1',
      devices: {},
      upstream: { url: 'tcp://10.0.0.2:1883' },
      statusIntervalS: 10,
      reorderHoldMs: 2000,
      processing: { thread: 'main' },
      pipelines: [],
      rules: [],
      actions: [],
      store: { path: ':memory:', synchronous: 'normal', outbox: { maxBytes: 268_435_456, dropPolicy: 'drop-lowest-priority-oldest' }, inbox: { maxPendingRows: 65_536, maxPendingBytes: 268_435_456 }, commitMaxRows: 512, forwarder: { maxInFlight: 64, pageSize: 256 } },
    });
  });

  it('rejects unknown top-level keys and a site that is not a topic-safe id', () => {
    const result = GatewayConfigSchema.safeParse({ upstream: { url: 'mqtt://a:1' }, site: 'plant/a', extra: 1 });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.') || i.code).sort();
    expect(paths).toEqual(['site', 'unrecognized_keys']);
  });
});
