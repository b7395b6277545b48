import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed, spawnTwinbed, waitUntil } from '../support/twinbed-process';
import { BASIC, jsonResults, junitCases, SLOW, validateJunit } from './test-command-support';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-test-stops-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Whether process `pid` listens on a TCP port: a worker does once its scenario's embedded broker is up. */
function listens(pid: number): boolean {
  return execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).includes(`pid=${pid},`);
}

/** Child processes of `pid`: a suite's workers. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

describe('twinbed test stops', () => {
  it('stops a scenario that runs past --timeout: status timedOut, exit 4, in every report', async () => {
    const out = join(dir, 'timeout');
    const { code, stdout, stderr } = await runTwinbed(['test', SLOW, '--timeout', '1', '--reporter', 'list,junit,json', '--output', out]);
    expect(code, stdout + stderr).toBe(4);
    expect(stdout).toContain(`⏱ [1/1] ${SLOW} › ten minutes at real time timed out`);
    expect(stdout).toMatch(/timed out: timed out after 1 s of wall time \(--timeout\)(, at \d+ of 600 s simulated)?; its worker was stopped/);
    expect(stdout).toMatch(/TIMED OUT \(exit 4\): 1 timed out in /);
    expect((await jsonResults(out)).results[0]!.status).toBe('timedOut');
    expect(validateJunit(join(out, 'junit.xml')).status).toBe(0);
    expect((await junitCases(join(out, 'junit.xml')))[0]!.failures[0]).toMatch(/^timed out after 1 s of wall time/);
  });

  it('after --max-failures failures starts nothing more: the rest are interrupted, and the failure gives exit 1', async () => {
    const out = join(dir, 'max-failures');
    const { code, stdout, stderr } = await runTwinbed(['test', BASIC, '--max-failures', '1', '--workers', '1', '--reporter', 'list,json', '--output', out]);
    expect(code, stdout + stderr).toBe(1);
    expect((await jsonResults(out)).results.map((r) => [r.test.title, r.status])).toEqual([
      ['alert in time', 'passed'],
      ['missed alert', 'failed'],
      ['quiet fan', 'interrupted'],
    ]);
    expect(stdout).toContain(`- [3/3] ${BASIC}/quiet-fan.yaml › quiet fan interrupted`);
    expect(stdout).toMatch(/FAILED \(exit 1\): 1 passed, 1 failed, 1 interrupted in /);
  });

  it('reports a worker process that dies as an errored test, and exits 3', async () => {
    const out = join(dir, 'crash');
    const suite = spawnTwinbed(['test', SLOW, '--workers', '1', '--reporter', 'list,json', '--output', out]);
    let worker = 0;
    // Killed mid-scenario: once the worker exists and its scenario's stack listens.
    expect(await waitUntil(() => (worker = childrenOf(suite.child.pid!)[0] ?? 0) > 0 && listens(worker), 30_000)).toBe(true);
    process.kill(worker, 'SIGKILL');
    const code = await suite.exited;
    expect(code, suite.stdout() + suite.stderr()).toBe(3);
    const result = (await jsonResults(out)).results[0]!;
    expect(result.status).toBe('errored');
    expect(result.attempts[0]!.error!.message).toBe('the worker process was ended by SIGKILL while running the test');
    expect(suite.stdout()).toContain(`! [1/1] ${SLOW} › ten minutes at real time errored`);
    expect(suite.stdout()).toMatch(/ERRORED \(exit 3\): 1 errored in /);
  });

  it('on SIGINT stops the running scenario and its worker, still writes the reports, and exits 130', async () => {
    const out = join(dir, 'sigint');
    const suite = spawnTwinbed(['test', SLOW, '--workers', '1', '--reporter', 'list,json', '--output', out]);
    let worker = 0;
    expect(await waitUntil(() => (worker = childrenOf(suite.child.pid!)[0] ?? 0) > 0 && listens(worker), 30_000)).toBe(true);
    suite.child.kill('SIGINT');
    expect(await suite.exited, suite.stdout() + suite.stderr()).toBe(130);
    expect((await jsonResults(out)).summary).toMatchObject({ status: 'interrupted', exitCode: 130, counts: { interrupted: 1 } });
    const gone = () => {
      try {
        process.kill(worker, 0);
        return false;
      } catch {
        return true;
      }
    };
    expect(await waitUntil(gone, 10_000)).toBe(true);
  });
});
