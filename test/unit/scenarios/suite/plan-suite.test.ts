import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSuite, SuiteInputError } from '../../../../scenarios/suite/loader/plan-suite';

const BASIC = 'test/fixtures/suites/basic';
const FILES = [`${BASIC}/alert-in-time.yaml`, `${BASIC}/missed-alert.yaml`, `${BASIC}/quiet-fan.yaml`];

describe('planSuite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-plan-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives each scenario file one test, sorted by path, with its title, seed, duration and the lines of its expectations', async () => {
    const plan = await planSuite({ patterns: [BASIC] });
    expect(plan.tests.map((t) => t.id)).toEqual(FILES);
    const missed = plan.tests[1]!;
    expect(missed).toMatchObject({ file: FILES[1], title: 'missed alert', line: 2, seed: 1, repeatIndex: 0, durationS: 4 });
    expect(missed.lines!.expect).toEqual([
      { type: 'stored-exactly-once', line: 12 },
      { type: 'alert', line: 13 },
    ]);
  });

  it('splits files into contiguous shards that together hold every file exactly once, larger shards first', async () => {
    for (const total of [1, 2, 3, 4]) {
      const shards = await Promise.all(Array.from({ length: total }, (_, i) => planSuite({ patterns: [BASIC], shard: { index: i + 1, total } })));
      expect(shards.flatMap((s) => s.tests.map((t) => t.file))).toEqual(FILES);
      const sizes = shards.map((s) => s.tests.length);
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('filters on "file title" before sharding, and repeats each scenario with ids file#n and the same seed', async () => {
    const plan = await planSuite({ patterns: [BASIC], grep: /alert/, grepInvert: /in time/, repeatEach: 2, seed: 7 });
    expect(plan.selected).toBe(1);
    expect(plan.tests.map((t) => [t.id, t.repeatIndex, t.seed])).toEqual([
      [`${FILES[1]}#1`, 0, 7],
      [`${FILES[1]}#2`, 1, 7],
    ]);
  });

  it('loads every file before anything runs and lists every problem with its file and line', async () => {
    await writeFile(join(dir, 'good.yaml'), 'name: good\ndurationS: 1\ntwins:\n  - template: fan\n    id: fan-1\nexpect:\n  - type: stored-exactly-once\n');
    await writeFile(join(dir, 'typo.yaml'), 'name: typo\ndurationS: 1\ntwins:\n  - template: fan\n    id: fan-1\n    speedRmp: 100\nexpect:\n  - type: stored-exactly-once\n');
    await writeFile(join(dir, 'syntax.yaml'), 'name: syntax\ntwins:\n  - template: fan\n   id: fan-1\nexpect: []\n');
    const error = await planSuite({ patterns: [dir] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuiteInputError);
    const rel = relative(process.cwd(), dir);
    const message = (error as SuiteInputError).message;
    expect(message).toContain('invalid input in 2 of 3 scenario files; nothing ran:');
    expect(message).toContain(`${rel}/typo.yaml:6 twins[0].speedRmp: unknown field (did you mean "speedRpm"?)`);
    expect(message).toMatch(new RegExp(`${rel}/syntax\\.yaml:\\d+: YAML syntax`));
  });
});
