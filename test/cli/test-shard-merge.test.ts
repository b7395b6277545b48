import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed } from '../support/twinbed-process';
import { BASIC, junitCases, validateJunit } from './test-command-support';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-test-shards-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('twinbed test --shard and merge-reports', () => {
  it('runs every scenario exactly once over shards 1/3, 2/3 and 3/3, and merging their blobs reports what one unsharded run reports', async () => {
    const ran: string[] = [];
    for (const i of [1, 2, 3]) {
      const { code, stdout, stderr } = await runTwinbed(['test', BASIC, '--shard', `${i}/3`, '--reporter', 'blob,junit', '--output', join(dir, `shard-${i}`)]);
      // Only shard 2 holds the failing scenario.
      expect(code, stdout + stderr).toBe(i === 2 ? 1 : 0);
      ran.push(...(await junitCases(join(dir, `shard-${i}`, 'junit.xml'))).map((c) => c.classname));
    }
    expect(ran).toEqual([`${BASIC}/alert-in-time.yaml`, `${BASIC}/missed-alert.yaml`, `${BASIC}/quiet-fan.yaml`]);
    for (const i of [1, 2, 3]) expect(await readdir(join(dir, `shard-${i}`))).toContain(`report-${i}-of-3.blob.json`);

    const full = await runTwinbed(['test', BASIC, '--reporter', 'junit', '--output', join(dir, 'full')]);
    expect(full.code, full.stderr).toBe(1);

    // CI collects the shards' output folders; merge-reports finds the blobs in them.
    const merged = await runTwinbed(['merge-reports', join(dir, 'shard-1'), join(dir, 'shard-2'), join(dir, 'shard-3'), '--reporter', 'junit,list', '--output', join(dir, 'merged')]);
    expect(merged.code, merged.stdout + merged.stderr).toBe(1);
    expect(merged.stdout).toMatch(/FAILED \(exit 1\): 2 passed, 1 failed/);
    const lint = validateJunit(join(dir, 'merged', 'junit.xml'));
    expect(lint.status, lint.output).toBe(0);
    const verdicts = async (file: string) => (await junitCases(file)).map(({ classname, name, verdicts, failures }) => ({ classname, name, verdicts, failures }));
    expect(await verdicts(join(dir, 'merged', 'junit.xml'))).toEqual(await verdicts(join(dir, 'full', 'junit.xml')));
  });

  it('refuses to merge a test reported twice, naming both blob files (exit 2)', async () => {
    const once = join(dir, 'twice-a');
    const again = join(dir, 'twice-b');
    for (const out of [once, again]) expect((await runTwinbed(['test', BASIC, '--grep', 'fan', '--reporter', 'blob', '--output', out])).code).toBe(0);
    const { code, stderr } = await runTwinbed(['merge-reports', once, again]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${BASIC}/quiet-fan.yaml is in two blob reports, ${join(once, 'report.blob.json')} and ${join(again, 'report.blob.json')}`);
  });
});
