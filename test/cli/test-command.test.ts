import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runTwinbed } from '../support/twinbed-process';
import { BASIC, jsonResults } from './test-command-support';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-test-command-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const listed = (stdout: string) => [...stdout.matchAll(/^ {2}(\S+):\d+ › /gm)].map((m) => m[1]);

describe('twinbed test', () => {
  it('--list prints what would run after --grep, --grep-invert and --shard, and exits 0', async () => {
    const all = await runTwinbed(['test', BASIC, '--list']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('Listing 3 tests in 3 files:\n');
    expect(all.stdout).toContain(`  ${BASIC}/missed-alert.yaml:2 › missed alert (seed 1, 4 s simulated)\n`);

    const grep = await runTwinbed(['test', BASIC, '--list', '--grep', 'alert', '--grep-invert', 'in time']);
    expect(listed(grep.stdout)).toEqual([`${BASIC}/missed-alert.yaml`]);
    const shard = await runTwinbed(['test', `${BASIC}/*.yaml`, '--list', '--shard', '3/3', '--seed', '9']);
    expect(shard.stdout).toContain('Listing 1 test in 1 file (shard 3/3):\n');
    expect(shard.stdout).toContain(`  ${BASIC}/quiet-fan.yaml:2 › quiet fan (seed 9, 3 s simulated)\n`);
  });

  it('runs each scenario --repeat-each times under the same seed, reported as separate tests with the same telemetry', async () => {
    const out = join(dir, 'repeat');
    const { code, stdout, stderr } = await runTwinbed(['test', BASIC, '--grep', 'quiet', '--repeat-each', '2', '--reporter', 'list,json', '--output', out]);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain(`✓ [2/2] ${BASIC}/quiet-fan.yaml › quiet fan (repeat 2)`);
    const { results } = await jsonResults(out);
    expect(results.map((r) => [r.test.id, r.status])).toEqual([
      [`${BASIC}/quiet-fan.yaml#1`, 'passed'],
      [`${BASIC}/quiet-fan.yaml#2`, 'passed'],
    ]);
    expect(results[0]!.attempts[0]!.result!.telemetrySha256).toBe(results[1]!.attempts[0]!.result!.telemetrySha256);
  });

  it('checks every file before running any: exit 2, every problem with its file and line, and nothing written', async () => {
    const suite = join(dir, 'invalid');
    await mkdir(suite);
    await writeFile(join(suite, 'good.yaml'), 'name: good\ndurationS: 1\ntwins:\n  - template: fan\n    id: fan-1\nexpect:\n  - type: stored-exactly-once\n');
    await writeFile(join(suite, 'typo.yaml'), 'name: typo\ndurationS: 1\ntwins:\n  - template: pump\n    id: pump-1\n    speedRmp: 1480\nexpect:\n  - type: stored-exactly-once\n');
    await writeFile(join(suite, 'device.yaml'), 'name: device\ndurationS: 1\ntwins:\n  - template: fan\n    id: fan-1\nexpect:\n  - type: no-alert\n    device: fan-2\n');
    const out = join(dir, 'invalid-out');
    const { code, stdout, stderr } = await runTwinbed(['test', suite, join(suite, 'missing.yaml'), '--reporter', 'junit', '--output', out]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const rel = relative(ROOT, suite);
    expect(stderr).toContain('invalid input in 3 of 4 scenario files; nothing ran:');
    expect(stderr).toContain(`${rel}/typo.yaml:6 twins[0].speedRmp: unknown field (did you mean "speedRpm"?)`);
    expect(stderr).toMatch(new RegExp(`${rel}/device\\.yaml:8 expect\\[0\\]\\.device: no twin named "fan-2"`));
    expect(stderr).toContain(`${rel}/missing.yaml: cannot read the scenario (ENOENT)`);
    await expect(access(out)).rejects.toThrow();
  });

  it('exits 2 for a flag, reporter or filter that cannot work, and documents every exit code in --help', async () => {
    const reporter = await runTwinbed(['test', BASIC, '--reporter', 'list,junt']);
    expect(reporter.code).toBe(2);
    expect(reporter.stderr).toContain('unknown reporter "junt"');
    const grep = await runTwinbed(['test', BASIC, '--grep', 'no such scenario']);
    expect(grep.code).toBe(2);
    expect(grep.stderr).toContain('--grep/--grep-invert left none of the 3 scenarios');
    expect((await runTwinbed(['test', BASIC, '--shard', '4/3'])).code).toBe(2);
    expect((await runTwinbed(['test', BASIC, '--retries', '-1'])).code).toBe(2);

    const help = await runTwinbed(['test', '--help']);
    expect(help.code).toBe(0);
    for (const line of ['130  stopped by SIGINT/SIGTERM', '3    a test errored', '4    a test timed out', '1    an expectation failed', '0    every test passed', '2    invalid input']) {
      expect(help.stdout).toContain(line);
    }
    const merge = await runTwinbed(['merge-reports', '--help']);
    expect(merge.stdout).toContain('Exit codes: as twinbed test');
  });
});
