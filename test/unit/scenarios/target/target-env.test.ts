import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../protocol';
import { loadTarget, type MqttTargetConfig } from '../../../../scenarios/target';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const VARS = ['TB_TEST_DEVICE_URL', 'TB_TEST_OBSERVE_PORT', 'TB_TEST_PASSWORD', 'TB_TEST_UNSET', 'TB_TEST_EMPTY'] as const;
const saved = new Map(VARS.map((name) => [name, process.env[name]]));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'twinbed-target-env-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Writes `text` as a target file and loads it the way `--target FILE` does. */
async function load(text: string) {
  const file = path.join(dir, `t-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return { file, loaded: loadTarget(file) };
}

/** An mqtt target whose URLs, observer password and a literal come from the environment. */
const TARGET = yaml(
  'kind: mqtt',
  'devices:',
  '  url: ${TB_TEST_DEVICE_URL}', // line 3
  '  auth: { username: "{device}", password: "$${NOT_EXPANDED}" }',
  'observe:',
  '  url: mqtt://127.0.0.1:${TB_TEST_OBSERVE_PORT:-1884}', // line 6
  '  password: ${TB_TEST_PASSWORD:-fallback}', // line 7
  '  topics:',
  '    - { filter: "sut/#", as: alert, fields: { device: "$topic[1]" } }',
);

describe('a target file\'s ${VAR} expansion', () => {
  it('takes ${VAR} from the environment and ${VAR:-default} from the environment when set', async () => {
    process.env.TB_TEST_DEVICE_URL = 'mqtt://10.0.0.5:1883';
    process.env.TB_TEST_OBSERVE_PORT = '2883';
    process.env.TB_TEST_PASSWORD = 's3cret';
    const { file, loaded } = await load(TARGET);
    const { target, name, baseDir } = await loaded;
    const mqtt = target as MqttTargetConfig;
    expect(mqtt.devices.url).toBe('mqtt://10.0.0.5:1883');
    expect(mqtt.observe.url).toBe('mqtt://127.0.0.1:2883');
    expect(mqtt.observe.password).toBe('s3cret');
    expect([name, baseDir]).toEqual([file, dir]);
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty', async () => {
    process.env.TB_TEST_DEVICE_URL = 'mqtt://10.0.0.5:1883';
    delete process.env.TB_TEST_OBSERVE_PORT;
    process.env.TB_TEST_PASSWORD = '';
    const mqtt = (await (await load(TARGET)).loaded).target as MqttTargetConfig;
    expect(mqtt.observe.url).toBe('mqtt://127.0.0.1:1884');
    expect(mqtt.observe.password).toBe('fallback');
  });

  it('keeps $${VAR} as the literal text ${VAR}, with no lookup', async () => {
    process.env.TB_TEST_DEVICE_URL = 'mqtt://10.0.0.5:1883';
    const mqtt = (await (await load(TARGET)).loaded).target as MqttTargetConfig;
    expect(mqtt.devices.auth?.password).toBe('${NOT_EXPANDED}');
  });

  it('refuses an unset ${VAR} without a default at its line, saying how to set it', async () => {
    delete process.env.TB_TEST_DEVICE_URL;
    const { file, loaded } = await load(TARGET);
    const error = await loaded.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toEqual([{ line: 3, path: 'devices.url', message: '${TB_TEST_DEVICE_URL} is not set in the environment (export TB_TEST_DEVICE_URL=… or write ${TB_TEST_DEVICE_URL:-default})' }]);
    expect((error as ConfigError).message).toContain(`${file}:3 devices.url: \${TB_TEST_DEVICE_URL} is not set in the environment`);
  });

  it('refuses an empty variable without a default as if it were unset, rather than connect to ""', async () => {
    process.env.TB_TEST_EMPTY = '';
    const { loaded } = await load(yaml('kind: embedded', 'devices:', '  url: mqtt://${TB_TEST_EMPTY}:1883'));
    await expect(loaded).rejects.toMatchObject({ issues: [expect.objectContaining({ line: 3, path: 'devices.url', message: expect.stringMatching(/^\$\{TB_TEST_EMPTY\} is not set in the environment/) })] });
  });

  it('names the file when it cannot be read', async () => {
    const missing = path.join(dir, 'missing.yaml');
    await expect(loadTarget(missing)).rejects.toThrow(`${missing}: cannot read the target file (ENOENT)`);
  });
});
