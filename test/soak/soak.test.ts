import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { expectStoredOnce } from '../support/stored-once';
import { waitUntil } from '../support/twinbed-process';
import { RAW_RETENTION_MIN, type SoakResult } from './run-soak';
import { GROWTH_LIMIT } from './soak-report';
import { startSoak } from './soak-global-setup';

// The CI soak: 50 simulated minutes at ×10 (five minutes of wall time), started by test/soak/soak-global-setup.ts
// when the run began, so it overlapped the main suite; this file runs after that suite (project `soak` in
// vitest.config.ts) and judges what the soak wrote. Where the setup could not give the soak its priority, it starts
// here instead, alone. `npm run soak` runs the one-hour soak of issue 12 in the terminal.
describe('soak: 50 simulated minutes at ×10 with faults, an uplink partition and its heal every six minutes', () => {
  let here: ReturnType<typeof startSoak> | undefined;
  afterAll(async () => {
    if (here && here.child.exitCode === null && here.child.signalCode === null) here.child.kill('SIGTERM');
    await here?.exited;
  });

  it('grows RSS, heap, open fds and both stores by less than 10% after warm-up, and stores every acknowledged reading once', async () => {
    const { dir, minutes, started } = inject('soak');
    if (started !== 'beside the suite') here = startSoak(dir, process.cwd());
    // The soak's own wall time is about 6·`minutes` s at ×10, plus setup and settling: wait for its exit, not a time.
    expect(await waitUntil(() => existsSync(join(dir, 'exit')), 9 * 60_000), 'the soak process exited').toBe(true);
    const exit = JSON.parse(readFileSync(join(dir, 'exit'), 'utf8')) as { code: number | null; signal: string | null };
    const stdout = readFileSync(join(dir, 'stdout'), 'utf8');
    const stderr = readFileSync(join(dir, 'stderr'), 'utf8');
    console.log(`${stdout}(the soak ran ${started}; exit ${exit.code ?? exit.signal})`);
    expect(existsSync(join(dir, 'result.json')), `the soak wrote no result; stderr:\n${stderr}`).toBe(true);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as SoakResult;

    expect(result.runMin).toBe(minutes);
    expect(result.gcBeforeSample, 'the heap is sampled after a full collection').toBe(true);
    expect(result.samples).toHaveLength(minutes + 1);
    // Every cycle's controls took effect: 3 faults and a partition per six minutes (the last cycle's partition at 3 min).
    expect(result.faults).toBe(3 * (Math.floor((minutes - 1) / 6) + 1));
    expect(result.partitions).toBe(Math.floor((minutes - 3) / 6) + 1);
    expect(result.problems, 'controls refused, blocks stored twice, gaps').toEqual([]);
    for (const g of result.growth.filter((m) => m.judged)) expect(g.growth, `${g.label}: at most ${g.baseline} in warm-up's last cycle, ${g.lastQuarterMax} in the last quarter`).toBeLessThan(GROWTH_LIMIT);
    expect(result.growth.filter((g) => g.judged).map((g) => g.label)).toEqual(['RSS', 'heap', 'fds', 'cloud store', 'gateway store']);

    expect(result.settled, 'the cloud covered every acknowledged reading').toBe(true);
    expectStoredOnce(result.stored, result.published);
    // Retention at work: the store keeps only the last RAW_RETENTION_MIN (plus a compaction interval and a minute of
    // slack) of windows, and kept plus folded is every window the cloud stored.
    expect(result.windowsKept).toBeLessThan((result.cloud.stored * (RAW_RETENTION_MIN + 1.5)) / minutes);
    expect(result.windowsKept + result.windowsRolledUp).toBe(result.cloud.stored);
    expect(exit.code).toBe(0);
  }, 10 * 60_000);
});
