// The CI soak runs beside the main suite rather than after it: vitest calls this when a run includes
// test/soak/soak.test.ts (project `soak` in vitest.config.ts), before any test starts. It starts the soak as a process
// of its own, at a raised priority, and returns at once; test/soak/soak.test.ts, in a group of its own after the main
// suite, waits for it and judges what it wrote. Five minutes of wall time thus overlap the suite instead of adding to
// it. Where the priority cannot be raised, the soak is left to the test, which then runs it alone after the suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * The CI soak: 50 simulated minutes at ×10, five minutes of wall time. At ×60 it needed 0.7 of a core to keep pace,
 * and beside the suite it fell behind its clock once in four runs (its catch-up then raised the stores' high-water
 * marks by a quarter); at ×10 it needs a sixth of that, and 50 minutes still hold the 18-minute warm-up and a
 * 12-minute last quarter. `npm run soak` runs the hour at ×60 alone.
 */
export const CI_SOAK_MINUTES = 50;
export const CI_SOAK_TIME_SCALE = 10;

/**
 * The soak keeps pace with a clock (×60) while the suite beside it only has to finish. At nice −10 the scheduler gives
 * it the half core it needs when it needs it, so its figures measure leaks, not a neighbour's burst: at the default
 * priority, on this 2-core machine under another test run, it fell tens of simulated minutes behind and its catch-up
 * raised the gateway store's high-water mark by 20%. Raising a priority takes root or CAP_SYS_NICE.
 */
const SOAK_NICE = -10;

/** Where the soak writes `stdout`, `stderr`, `result.json`, and `exit` when it has ended. */
export interface SoakRun {
  dir: string;
  minutes: number;
  /** `beside the suite`: started by the global setup; else why the test must start it itself. */
  started: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    soak: SoakRun;
  }
}

/** Starts `npm run soak` for the CI soak's length, writing into `dir`; `exited` resolves once `dir/exit` is written. */
export function startSoak(dir: string, root: string): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'test/soak/soak.ts', '--minutes', String(CI_SOAK_MINUTES), '--time-scale', String(CI_SOAK_TIME_SCALE), '--json', join(dir, 'result.json')],
    { cwd: root, stdio: ['ignore', openSync(join(dir, 'stdout'), 'w'), openSync(join(dir, 'stderr'), 'w')] },
  );
  const exited = new Promise<void>((done) =>
    child.on('exit', (code, signal) => {
      writeFileSync(join(dir, 'exit'), JSON.stringify({ code, signal }));
      done();
    }),
  );
  return { child, exited };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'twinbed-soak-ci-'));
  let soak: ReturnType<typeof startSoak> | undefined = startSoak(dir, project.config.root);
  let started = 'beside the suite';
  try {
    setPriority(soak.child.pid!, SOAK_NICE);
  } catch (error) {
    // At the suite's priority it would measure the suite: stop it before it has done anything, and leave it to the test.
    started = `after the suite: nice ${SOAK_NICE} refused (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    soak.child.kill('SIGKILL');
    await soak.exited;
    soak = undefined;
    for (const file of ['exit', 'stdout', 'stderr']) rmSync(join(dir, file), { force: true });
  }
  project.provide('soak', { dir, minutes: CI_SOAK_MINUTES, started });
  return async () => {
    // Only if the run ended (or was interrupted) before the soak did.
    if (soak && soak.child.exitCode === null && soak.child.signalCode === null) soak.child.kill('SIGTERM');
    await soak?.exited;
    rmSync(dir, { recursive: true, force: true });
  };
}
