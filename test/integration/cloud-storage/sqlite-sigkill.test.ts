// SqliteStorage under SIGKILL: what ingest resolved for is on disk, and a batch is stored whole or not at all.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../../cloud/index';
import { spawnCommand } from '../../support/twinbed-process';
import { ALL_OF_A_ROUND, NONE_OF_A_ROUND, storedOf } from './ingest-rounds';

const CHILD = fileURLToPath(new URL('./ingest-child.ts', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-cloud-sigkill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rounds whose "committed <round>" line the child printed. */
const committedRounds = (stdout: string) => [...stdout.matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1]));

describe('SqliteStorage under SIGKILL', () => {
  it('keeps every row of every batch and write whose promise resolved, when killed right after', async () => {
    const file = path.join(dir, 'block.db');
    const child = spawnCommand(process.execPath, ['--import', 'tsx', CHILD, file, '0', 'block']);
    await child.waitFor(/^singles committed$/m);
    child.child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    expect(committedRounds(child.stdout())).toEqual([0, 1, 2]);

    const storage = new SqliteStorage(file);
    try {
      for (const round of [0, 1, 2]) expect(await storedOf(storage, round), `round ${round}`).toEqual(ALL_OF_A_ROUND);
      expect(await storage.counts()).toEqual({ features: 150, alerts: 3, deadLetters: 3, raw: 15 });
      expect(await storage.loadState('child')).toEqual({ round: 3 });
      expect((await storage.listModels()).map((m) => m.version)).toEqual(['1.0.0']);
      expect((await storage.registry()).map((e) => e.id)).toEqual(['pump-1']);
    } finally {
      await storage.close();
    }
  });

  it('loses no acknowledged batch and keeps no partial one, across three kills mid-stream', async () => {
    const file = path.join(dir, 'stream.db');
    let next = 0;
    const acknowledged: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      const child = spawnCommand(process.execPath, ['--import', 'tsx', CHILD, file, String(next), 'stream']);
      // Well past its start, then wherever it is: in a batch, in a commit, between the two.
      await child.waitFor(new RegExp(`^committed ${next + 40}$`, 'm'));
      child.child.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
      const rounds = committedRounds(child.stdout());
      acknowledged.push(...rounds);
      // The round after the last line may have committed before the kill, its line unwritten: start past it.
      next = rounds.at(-1)! + 2;
    }
    const storage = new SqliteStorage(file);
    try {
      for (const round of acknowledged) expect(await storedOf(storage, round), `acknowledged round ${round}`).toEqual(ALL_OF_A_ROUND);
      // Rounds in flight at a kill: whole or absent.
      const unacknowledged = Array.from({ length: next }, (_, r) => r).filter((r) => !acknowledged.includes(r));
      for (const round of unacknowledged) expect([ALL_OF_A_ROUND, NONE_OF_A_ROUND]).toContainEqual(await storedOf(storage, round));
    } finally {
      await storage.close();
    }
  });
});
