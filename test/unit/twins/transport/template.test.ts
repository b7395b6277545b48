import { describe, expect, it } from 'vitest';
import { ConfigError, parseYamlConfig } from '../../../../protocol';
import { TargetSchema } from '../../../../scenarios/target/target-schema';
import { DeviceConnectionSchema, expandTemplate, placeholdersOf, templateProblem, topicMatcher } from '../../../../twins/transport';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** The ConfigError that loading `text` as t.yaml with `schema` throws. */
function refusal(text: string, schema: Parameters<typeof parseYamlConfig>[2] = TargetSchema): ConfigError {
  try {
    parseYamlConfig(text, 't.yaml', schema);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the file validated');
}

describe('expandTemplate', () => {
  it('fills {site}, {device}, {sensor} and {index} wherever they appear, numbers included', () => {
    expect(expandTemplate('plant/{site}/{device}/{sensor}/{index}', { site: 'a', device: 'pump-1', sensor: 'accel', index: 0 })).toBe('plant/a/pump-1/accel/0');
    expect(expandTemplate('{device}-{device}.{index}', { device: 'fan-2', index: 17 })).toBe('fan-2-fan-2.17');
    expect(expandTemplate('no placeholders', {})).toBe('no placeholders');
  });

  it('throws naming the placeholder rather than leave it in the output when its value is not known here', () => {
    expect(() => expandTemplate('{site}/{device}/{sensor}', { site: 'a', device: 'd' })).toThrow('template "{site}/{device}/{sensor}" needs {sensor}, which is not known here');
  });

  it('lists the placeholders a template uses once each, in order of first use', () => {
    expect(placeholdersOf('{device}/{site}/{device}/{x}')).toEqual(['device', 'site', 'x']);
    expect(placeholdersOf('plain')).toEqual([]);
  });
});

describe('templateProblem', () => {
  it('names an unknown placeholder and the ones the template may use', () => {
    expect(templateProblem('{site}/{devce}', ['site', 'device', 'index'])).toBe('unknown placeholder {devce}; this template may use {site}, {device}, {index}');
    expect(templateProblem('{site}/{device}/{sensor}', ['site', 'device', 'index'])).toBe('unknown placeholder {sensor}; this template may use {site}, {device}, {index}');
    expect(templateProblem('{site}/{device}/{index}', ['site', 'device', 'index'])).toBeUndefined();
  });
});

describe('templates in a target file are checked when it loads', () => {
  it('refuses a typo in devices.topic at its line, naming the placeholder', () => {
    const error = refusal(yaml('kind: embedded', 'devices:', '  url: mqtt://127.0.0.1:1883', '  topic: plant/{site}/{devce}/{sensor}'));
    expect(error.issues).toEqual([{ line: 4, path: 'devices.topic', message: 'unknown placeholder {devce}; this template may use {site}, {device}, {sensor}, {index}' }]);
    expect(error.message).toBe('t.yaml:4 devices.topic: unknown placeholder {devce}; this template may use {site}, {device}, {sensor}, {index}');
  });

  it('refuses {sensor} in a per-device template (the client id) at its line', () => {
    const error = refusal(yaml('kind: embedded', 'devices:', '  clientId: c-{device}-{sensor}'));
    expect(error.issues).toEqual([{ line: 3, path: 'devices.clientId', message: 'unknown placeholder {sensor}; this template may use {site}, {device}, {index}' }]);
  });

  it('refuses an unknown placeholder in a flat-json key at its line', () => {
    const error = refusal(
      yaml('kind: embedded', 'devices:', '  format:', '    type: flat-json', '    per: sample', '    keys:', '      value: "{sensr}"'),
    );
    expect(error.issues).toEqual([{ line: 7, path: 'devices.format.keys.value', message: 'unknown placeholder {sensr}; this template may use {site}, {device}, {sensor}, {index}' }]);
  });

  it('accepts every known placeholder, and the same schema fills in the defaults', () => {
    const connection = parseYamlConfig(yaml('topic: x/{site}/{device}/{sensor}/{index}', 'commandTopic: x/{site}/{device}/{index}/cmd'), 'd.yaml', DeviceConnectionSchema);
    expect(connection).toMatchObject({ topic: 'x/{site}/{device}/{sensor}/{index}', commandTopic: 'x/{site}/{device}/{index}/cmd', clientId: 'twinbed-{site}-{device}', format: { type: 'twinbed', codec: 'cbor' } });
  });
});

describe('topicMatcher', () => {
  it('gives back the placeholder values of a topic built from the template', () => {
    const match = topicMatcher('plant/{site}/{device}/cmd');
    expect(match('plant/a/pump-1/cmd')).toEqual({ site: 'a', device: 'pump-1' });
  });

  it('matches one topic level per placeholder: no slash, no empty level, nothing extra at either end', () => {
    const match = topicMatcher('plant/{site}/{device}/cmd');
    expect(match('plant/a/b/c/cmd')).toBeUndefined();
    expect(match('plant//pump-1/cmd')).toBeUndefined();
    expect(match('plant/a/pump-1/cmd/x')).toBeUndefined();
    expect(match('x/plant/a/pump-1/cmd')).toBeUndefined();
  });

  it('takes regex characters in the literal parts literally', () => {
    const match = topicMatcher('a.b/{device}/(cmd)+');
    expect(match('a.b/pump-1/(cmd)+')).toEqual({ device: 'pump-1' });
    expect(match('aXb/pump-1/(cmd)+')).toBeUndefined();
    expect(match('a.b/pump-1/cmdd')).toBeUndefined();
  });

  it('matches a placeholder inside a level, with literal text around it', () => {
    expect(topicMatcher('dev-{device}/in')('dev-fan-3/in')).toEqual({ device: 'fan-3' });
    expect(topicMatcher('dev-{device}/in')('fan-3/in')).toBeUndefined();
  });
});
