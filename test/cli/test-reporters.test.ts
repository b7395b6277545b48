import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed } from '../support/twinbed-process';
import { BASIC, jsonResults, junitCases, validateJunit } from './test-command-support';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-test-reporters-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('twinbed test reporters', () => {
  it('runs a suite with one deliberately failing scenario: exit 1, and every reporter says which expectation failed, why, and where', async () => {
    const out = join(dir, 'basic');
    const { code, stdout, stderr } = await runTwinbed(['test', BASIC, '--reporter', 'list,junit,json,blob,github', '--output', out]);
    expect(code, stdout + stderr).toBe(1);
    const where = `${BASIC}/missed-alert.yaml:13`;
    const why = /no alert on pump-1 during the 4 s run; peak accel rms 0\.0\d+ against a threshold of 0\.2/;

    // JUnit: valid against the schema kept in the repo, one case per scenario, the reason in the failure message.
    const junit = join(out, 'junit.xml');
    const lint = validateJunit(junit);
    expect(lint.status, lint.output).toBe(0);
    const cases = await junitCases(junit);
    expect(cases.map((c) => [c.classname, c.name, c.verdicts])).toEqual([
      [`${BASIC}/alert-in-time.yaml`, 'alert in time', []],
      [`${BASIC}/missed-alert.yaml`, 'missed alert', ['failure']],
      [`${BASIC}/quiet-fan.yaml`, 'quiet fan', []],
    ]);
    expect(cases[1]!.failures).toHaveLength(1);
    expect(cases[1]!.failures[0]).toMatch(new RegExp(`^alert on pump-1: ${why.source} \\(${where}\\)$`));

    // JSON: every result with its run report.
    const json = await jsonResults(out);
    expect(json.summary).toMatchObject({ status: 'failed', exitCode: 1, counts: { passed: 2, failed: 1, flaky: 0, timedOut: 0, errored: 0, interrupted: 0 } });
    expect(json.results.map((r) => [r.test.title, r.status, r.attempts.length, r.attempts[0]!.result!.passed])).toEqual([
      ['alert in time', 'passed', 1, true],
      ['missed alert', 'failed', 1, false],
      ['quiet fan', 'passed', 1, true],
    ]);

    // Blob: the whole suite, to merge later.
    const blob = JSON.parse(await readFile(join(out, 'report.blob.json'), 'utf8'));
    expect(blob).toMatchObject({ kind: 'twinbed-blob-report', version: 1, summary: { status: 'failed' } });
    expect(blob.results).toHaveLength(3);

    // list and github on stdout.
    expect(stdout).toContain('Running 3 tests using 1 worker');
    expect(stdout).toMatch(/✓ \[1\/3\] test\/fixtures\/suites\/basic\/alert-in-time\.yaml › alert in time \(seed 1, 4 s simulated, /);
    expect(stdout).toContain(`✗ [2/3] ${BASIC}/missed-alert.yaml › missed alert failed`);
    expect(stdout).toMatch(new RegExp(`✗ alert on pump-1: ${why.source} \\(${where}\\)`));
    expect(stdout).toContain(`reproduce: twinbed run ${BASIC}/missed-alert.yaml --seed 1`);
    expect(stdout).toContain(`::error file=${BASIC}/missed-alert.yaml,line=13,title=${BASIC}/missed-alert.yaml › missed alert%3A alert on pump-1::no alert on pump-1`);
    expect(stdout).toMatch(/FAILED \(exit 1\): 2 passed, 1 failed in [\d.]+ s/);
  });

  it('prints one dot per test with --reporter dot, and writes nothing but the report with --quiet', async () => {
    const dots = await runTwinbed(['test', BASIC, '--grep', 'fan', '--reporter', 'dot']);
    expect(dots.code, dots.stdout + dots.stderr).toBe(0);
    expect(dots.stdout).toMatch(/^·\n\nPASSED: 1 passed in [\d.]+ s\n$/);

    const out = join(dir, 'quiet');
    const quiet = await runTwinbed(['test', BASIC, '--grep', 'fan', '--quiet', '--reporter', 'json', '--output', out]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
    expect((await jsonResults(out)).summary.counts.passed).toBe(1);
  });

  it('writes a byte-identical JSON report for the same seed, apart from what depends on the machine, all under `wall` keys', async () => {
    const out = join(dir, 'twice');
    const reports: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { code, stdout, stderr } = await runTwinbed(['test', BASIC, '--reporter', 'json', '--output', out, '--seed', '5']);
      expect(code, stdout + stderr).toBe(1);
      reports.push(await readFile(join(out, 'results.json'), 'utf8'));
    }
    const walls: unknown[] = [];
    const withoutWall = (text: string) => JSON.stringify(JSON.parse(text, (key, value: unknown) => (key === 'wall' ? (walls.push(value), undefined) : value)));
    expect(withoutWall(reports[1]!)).toBe(withoutWall(reports[0]!));
    expect(reports[1]).not.toBe(reports[0]);
    // Per report: the suite's, and per test (3) its attempt's and its run's.
    expect(walls).toHaveLength(2 * (1 + 3 * 2));
    const report = JSON.parse(reports[0]!) as { summary: { wall: { durationMs: number } }; results: { attempts: { wall: { durationMs: number }; result: { seed: number } }[] }[] };
    expect(report.summary.wall.durationMs).toBeGreaterThan(0);
    for (const result of report.results) expect(result.attempts[0]!.result.seed).toBe(5);
  });
});
