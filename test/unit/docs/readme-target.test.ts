import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseYamlConfig } from '../../../protocol/index';
import { TargetSchema } from '../../../scenarios/index';
import { ROOT } from '../../support/twinbed-process';

/** The YAML block of README's "Test your own pipeline" step 1, unindented. */
function readmeTarget(): string {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const block = /1\. Write a target file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no target example under "Test your own pipeline"');
  return block
    .split('\n')
    .map((line) => line.replace(/^ {3}/, ''))
    .join('\n');
}

describe('README: the target file users copy', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('validates, with its ${VAR}s taken from the environment', () => {
    Object.assign(process.env, { TWINBED_DEVICE_URL: 'mqtt://broker:1883', TWINBED_OBSERVE_URL: 'mqtt://cloud:1883', PIPELINE_DB_URL: 'postgres://u@db/pipeline' });
    const target = parseYamlConfig(readmeTarget(), 'README.md', TargetSchema);
    expect(target.kind).toBe('mqtt');
    if (target.kind !== 'mqtt') return;
    expect(target.devices).toMatchObject({ url: 'mqtt://broker:1883', protocolVersion: 5, format: { type: 'flat-json', per: 'block' } });
    expect(target.observe.topics.map((t) => [t.filter, t.as])).toEqual([
      ['plant/+/alarms/#', 'alert'],
      ['plant/+/+/features', 'reading'],
    ]);
    expect(target.store).toMatchObject({ kind: 'postgres', url: 'postgres://u@db/pipeline' });
    expect(target.skip).toEqual([{ expectation: 'stored-exactly-once', reason: 'our historian keeps 1-minute averages only' }]);
  });

  it('names the unset variable and its line when the environment lacks one', () => {
    delete process.env.TWINBED_DEVICE_URL;
    Object.assign(process.env, { TWINBED_OBSERVE_URL: 'mqtt://cloud:1883', PIPELINE_DB_URL: 'postgres://u@db/pipeline' });
    expect(() => parseYamlConfig(readmeTarget(), 'README.md', TargetSchema)).toThrow(/README\.md:3 devices\.url: \$\{TWINBED_DEVICE_URL\} is not set in the environment/);
  });
});
