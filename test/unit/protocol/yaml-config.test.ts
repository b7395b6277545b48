import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseYamlConfig, suggest, TwinbedError } from '../../../protocol/index';

const Item = z
  .object({
    name: z.string(),
    /** Shaft speed in rpm. Default 1500. */
    speedRpm: z.number().positive().default(1500),
  })
  .strict();

const Fault = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bearing'), severity: z.number().min(0).max(1) }).strict(),
  z.object({ kind: z.literal('imbalance'), massG: z.number().positive() }).strict(),
]);

const Config = z
  .object({
    seed: z.number().int().default(42),
    items: z.array(Item),
    faults: z.array(Fault).default([]),
    limits: z.record(z.string(), z.object({ maxTempC: z.number() }).strict()).optional(),
  })
  .strict();

/** The ConfigError that parsing `text` as cfg.yaml throws. */
function configErrorOf(text: string, schema: z.ZodType = Config): ConfigError {
  try {
    parseYamlConfig(text, 'cfg.yaml', schema);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the document validated');
}

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('parseYamlConfig on a valid document', () => {
  it('returns the parsed data with zod defaults applied at every level', () => {
    const config = parseYamlConfig(yaml('items:', '  - name: a', '  - name: b', '    speedRpm: 3000'), 'cfg.yaml', Config);
    expect(config).toEqual({
      seed: 42,
      items: [
        { name: 'a', speedRpm: 1500 },
        { name: 'b', speedRpm: 3000 },
      ],
      faults: [],
    });
  });

  it('picks the discriminated-union option by its discriminator', () => {
    const config = parseYamlConfig(
      yaml('seed: 7', 'items: []', 'faults:', '  - kind: bearing', '    severity: 0.3', '  - {kind: imbalance, massG: 12}'),
      'cfg.yaml',
      Config,
    );
    expect(config.faults).toEqual([
      { kind: 'bearing', severity: 0.3 },
      { kind: 'imbalance', massG: 12 },
    ]);
    expect(config.seed).toBe(7);
  });

  it('validates an empty document as an empty object, so all-optional schemas get their defaults', () => {
    const AllOptional = z.object({ rateHz: z.number().default(100) }).strict();
    expect(parseYamlConfig('', 'empty.yaml', AllOptional)).toEqual({ rateHz: 100 });
    expect(parseYamlConfig('# only a comment\n', 'empty.yaml', AllOptional)).toEqual({ rateHz: 100 });
  });
});

describe('parseYamlConfig errors name the file, 1-based line and dotted path', () => {
  it('a bad value in the second item of an array', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', '  - name: b', '    speedRpm: -3'));
    expect(error.message).toBe('cfg.yaml:4 items[1].speedRpm: Too small: expected number to be >0');
    expect(error.issues).toEqual([{ line: 4, path: 'items[1].speedRpm', message: 'Too small: expected number to be >0' }]);
  });

  it('a wrong type inside a flow mapping', () => {
    const error = configErrorOf(yaml('seed: 1', 'items:', '  - {name: a, speedRpm: fast}'));
    expect(error.message).toBe('cfg.yaml:3 items[0].speedRpm: Invalid input: expected number, received string');
  });

  it('every issue, one per line, in document order', () => {
    const error = configErrorOf(
      yaml('seed: 1.5', 'items:', '  - name: a', 'faults:', '  - kind: bearing', '    severity: 2', '  - kind: imbalance', '    massG: 0'),
    );
    expect(error.message.split('\n')).toEqual([
      'cfg.yaml:1 seed: Invalid input: expected int, received number',
      'cfg.yaml:6 faults[0].severity: Too big: expected number to be <=1',
      'cfg.yaml:8 faults[1].massG: Too small: expected number to be >0',
    ]);
  });

  it('a field under a record key', () => {
    const error = configErrorOf(yaml('items: []', 'limits:', '  pump-1:', '    maxTempC: 80', '  pump-2:', '    maxTempC: hot'));
    expect(error.message).toBe('cfg.yaml:6 limits.pump-2.maxTempC: Invalid input: expected number, received string');
  });

  it('a missing field, on the line of the object that lacks it', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', 'faults:', '  - kind: imbalance'));
    expect(error.issues).toEqual([{ line: 4, path: 'faults[0].massG', message: 'Invalid input: expected number, received undefined' }]);
  });

  it('a missing top-level field, on the first line of the document', () => {
    const error = configErrorOf(yaml('# header comment', 'seed: 3'));
    expect(error.message).toBe('cfg.yaml:2 items: Invalid input: expected array, received undefined');
  });

  it('an unknown discriminator value, on the line of the discriminator', () => {
    const error = configErrorOf(yaml('items: []', 'faults:', '  - kind: bearing', '    severity: 0.1', '  - kind: misalign'));
    expect(error.issues[0]).toMatchObject({ line: 5, path: 'faults[1].kind' });
  });

  it('an empty array item, on its own line', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', '  -'));
    expect(error.message).toBe('cfg.yaml:3 items[1]: Invalid input: expected object, received null');
  });
});

describe('parseYamlConfig on unknown keys', () => {
  it('suggests the closest known key on the line of the typo', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', '  - name: b', '    speedRmp: 3000'));
    expect(error.message).toBe('cfg.yaml:4 items[1].speedRmp: unknown field (did you mean "speedRpm"?)');
  });

  it('suggests a key of the union option the discriminator selected', () => {
    const error = configErrorOf(yaml('items: []', 'faults:', '  - kind: bearing', '    severity: 0.5', '  - kind: imbalance', '    masG: 3'));
    expect(error.message.split('\n')).toContain('cfg.yaml:6 faults[1].masG: unknown field (did you mean "massG"?)');
    expect(error.message).not.toContain('did you mean "severity"');
  });

  it('suggests a top-level key', () => {
    const error = configErrorOf(yaml('items: []', 'sed: 4'));
    expect(error.message).toBe('cfg.yaml:2 sed: unknown field (did you mean "seed"?)');
  });

  it('lists the known keys when nothing is close', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', '    colour: red'));
    expect(error.message).toBe('cfg.yaml:3 items[0].colour: unknown field (expected one of: name, speedRpm)');
  });

  it('reports each unknown key of one object on its own line', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', '    nmae: b', '    speed: 1'));
    expect(error.issues.map((issue) => [issue.line, issue.path])).toEqual([
      [3, 'items[0].nmae'],
      [4, 'items[0].speed'],
    ]);
  });
});

describe('parseYamlConfig on YAML syntax errors', () => {
  it('throws a ConfigError naming the file and the syntax problem', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', '    name: b'));
    expect(error).toBeInstanceOf(TwinbedError);
    expect(error.code).toBe('E_CONFIG');
    expect(error.file).toBe('cfg.yaml');
    expect(error.issues.map((issue) => issue.message)).toEqual(['YAML syntax: Map keys must be unique']);
  });

  it('reports tabs used for indentation', () => {
    expect(configErrorOf(yaml('items:', '\t- name: a')).message).toContain('YAML syntax: Tabs are not allowed as indentation');
  });
});

describe('YAML syntax errors', () => {
  it('carry the line of the error', () => {
    const error = configErrorOf(yaml('items:', '  - name: a', '    name: b'));
    expect(error.issues[0]?.line).toBe(3);
    expect(error.message).toBe('cfg.yaml:3: YAML syntax: Map keys must be unique');
  });
});

describe('ConfigError', () => {
  it('formats issues with and without line and path', () => {
    const error = new ConfigError('x.yaml', [
      { line: 3, path: 'a[0].b', message: 'bad' },
      { path: 'c', message: 'missing' },
      { line: 1, path: '', message: 'not a mapping' },
      { path: '', message: 'empty' },
    ]);
    expect(error.message.split('\n')).toEqual(['x.yaml:3 a[0].b: bad', 'x.yaml c: missing', 'x.yaml:1: not a mapping', 'x.yaml: empty']);
    expect(error.name).toBe('ConfigError');
  });
});

describe('suggest', () => {
  it('counts a swapped pair of letters as one edit', () => {
    expect(suggest('speedRmp', ['name', 'speedRpm'])).toBe('speedRpm');
  });

  it('ignores case', () => {
    expect(suggest('SPEEDRPM', ['name', 'speedRpm'])).toBe('speedRpm');
  });

  it('accepts two edits for long keys and one for keys of four letters or fewer', () => {
    expect(suggest('sped', ['speedRpm', 'seed'])).toBe('seed');
    expect(suggest('spRpm', ['speedRpm'])).toBeUndefined();
    expect(suggest('sedd', ['seed'])).toBe('seed');
    expect(suggest('sxdx', ['seed'])).toBeUndefined();
    expect(suggest('speedRp', ['speedRpm'])).toBe('speedRpm');
    expect(suggest('spedRp', ['speedRpm'])).toBe('speedRpm');
    expect(suggest('spdRp', ['speedRpm'])).toBeUndefined();
  });

  it('prefers the closest of several candidates', () => {
    expect(suggest('rateHx', ['rateHz', 'ratio', 'rate'])).toBe('rateHz');
  });

  it('returns undefined when there are no candidates', () => {
    expect(suggest('x', [])).toBeUndefined();
  });
});
