import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverScenarioFiles } from '../../../../scenarios/suite/loader/discover';
import { globBase, globToRegExp } from '../../../../scenarios/suite/loader/glob';

describe('globToRegExp', () => {
  const matches = (glob: string, path: string) => globToRegExp(glob).test(path);

  it('keeps * inside one path segment and lets **/ span any number of them, none included', () => {
    expect(matches('scenarios/*.yaml', 'scenarios/smoke.yaml')).toBe(true);
    expect(matches('scenarios/*.yaml', 'scenarios/library/imbalance.yaml')).toBe(false);
    expect(matches('scenarios/**/*.yaml', 'scenarios/smoke.yaml')).toBe(true);
    expect(matches('scenarios/**/*.yaml', 'scenarios/library/deep/imbalance.yaml')).toBe(true);
    expect(matches('scenarios/**', 'scenarios/library/imbalance.yaml')).toBe(true);
    expect(matches('**/bearing-*.yaml', 'scenarios/library/bearing-defects.yaml')).toBe(true);
  });

  it('reads ?, classes, negated classes and {a,b} alternatives, and takes regex characters literally', () => {
    expect(matches('s/pump-?.yaml', 's/pump-1.yaml')).toBe(true);
    expect(matches('s/pump-?.yaml', 's/pump-12.yaml')).toBe(false);
    expect(matches('s/pump-[12].yaml', 's/pump-2.yaml')).toBe(true);
    expect(matches('s/pump-[!12].yaml', 's/pump-2.yaml')).toBe(false);
    expect(matches('s/*.{yaml,yml}', 's/a.yml')).toBe(true);
    expect(matches('s/a+b.yaml', 's/a+b.yaml')).toBe(true);
    expect(matches('s/a.yaml', 's/aXyaml')).toBe(false);
  });

  it('walks from the folder before the first segment with glob syntax', () => {
    expect(globBase('scenarios/library/*.yaml')).toBe('scenarios/library');
    expect(globBase('scenarios/**/x.yaml')).toBe('scenarios');
    expect(globBase('*.yaml')).toBe('.');
  });
});

describe('discoverScenarioFiles', () => {
  let dir: string;
  const scenario = (name: string, judged = true) => `name: ${name}\ndurationS: 1\ntwins:\n  - template: fan\n    id: fan-1\n${judged ? 'expect:\n  - type: stored-exactly-once\n' : ''}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-discover-'));
    await mkdir(join(dir, 'suite/deep'), { recursive: true });
    await mkdir(join(dir, 'suite/targets'), { recursive: true });
    await mkdir(join(dir, 'empty'), { recursive: true });
    await writeFile(join(dir, 'suite/b.yaml'), scenario('b'));
    await writeFile(join(dir, 'suite/a.yml'), scenario('a'));
    await writeFile(join(dir, 'suite/deep/c.yaml'), scenario('c'));
    await writeFile(join(dir, 'suite/demo.yaml'), scenario('demo', false));
    await writeFile(join(dir, 'suite/targets/broker.yaml'), 'kind: mqtt\n');
    await writeFile(join(dir, 'suite/broken.yaml'), 'name: [unclosed\n');
    await writeFile(join(dir, 'suite/notes.txt'), 'not yaml');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('searches folders recursively for scenarios, sorted by path, and says what it left out and why', async () => {
    const found = await discoverScenarioFiles(['suite'], dir);
    // A file that does not parse may be a broken scenario: it stays, so loading can say where it is broken.
    expect(found.files).toEqual(['suite/a.yml', 'suite/b.yaml', 'suite/broken.yaml', 'suite/deep/c.yaml']);
    expect(found.notes).toEqual([
      'left out 1 YAML file with no top-level twins: (not scenarios): suite/targets/broker.yaml',
      'left out 1 scenario with nothing to judge (no expect: or thresholds:; name the file to run it anyway): suite/demo.yaml',
    ]);
    expect(found.problems).toEqual([]);
  });

  it('matches globs against paths relative to the working folder, and takes a named file as it is', async () => {
    const found = await discoverScenarioFiles(['suite/**/[bc].yaml', 'suite/demo.yaml', './suite/b.yaml'], dir);
    expect(found.files).toEqual(['suite/b.yaml', 'suite/deep/c.yaml', 'suite/demo.yaml']);
  });

  it('reports a glob or a folder that finds nothing as a problem', async () => {
    const found = await discoverScenarioFiles(['suite/*.json', 'empty'], dir);
    expect(found.problems).toEqual(['suite/*.json: no YAML files match', 'empty: no YAML files in this folder']);
    // YAML that is there but holds no scenario is a problem too: a suite of nothing must not pass.
    expect((await discoverScenarioFiles(['suite/targets'], dir)).problems).toEqual(['no scenario files in suite/targets']);
  });
});
