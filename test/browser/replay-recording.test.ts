import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthOn, openReplayPage, replayShown, SHOTS } from '../support/replay-page';
import { ROOT, runTwinbed, type TwinbedProcess } from '../support/twinbed-process';

describe('twinbed demo --replay REC.mcap: a recording on the page, scrubbed', () => {
  let dir: string;
  let recording: string;
  let page_: TwinbedProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-replay-recording-'));
    // pump-imbalance.yaml: 40 s on site lab; pump-1's imbalance from 15 s, the cloud's RMS alert on the 16 s window.
    const run = await runTwinbed(['run', 'test/fixtures/recordings/pump-imbalance.yaml', '--record', dir, '--quiet'], { cwd: ROOT });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    recording = join(dir, 'pump-imbalance-seed7.mcap');
    // No --scenario: the hall is the scenario the recording carries.
    ({ process: page_, url, browser, page } = await openReplayPage([recording], { errors, timeoutMs: 60_000, env: { TMPDIR: dir } }));
  });

  afterAll(async () => {
    await browser?.close();
    await page_?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const health = (device: string) => healthOn(page, device);
  const shown = () => replayShown(page);

  it('builds a store from the recording and opens at its end, the recorded fault and the alerts marked', async () => {
    // 40 s of pump-1's three sensors: 40 accel windows and 2 of each temperature (two 10 s blocks a window, so that
    // the edge never sends more bytes than it takes); the cloud's alert and the edge's.
    expect(page_.stdout()).toMatch(/44 feature windows and 2 alert events stored from 45 recorded windows and edge events through a cloud/);
    await expect.poll(shown, { timeout: 20_000 }).toBeDefined();
    const extent = (await (await fetch(new URL('/api/replay', url))).json()) as { fromMs: number; toMs: number; alerts: { origin: string; state: string }[] };
    expect(Number(await shown())).toBe(extent.toMs);
    expect(extent.alerts.map((a) => `${a.origin} ${a.state}`).sort()).toEqual(['cloud raised', 'edge raised']);
    expect(await health('pump-1')).toBe('alarm');
    expect(await page.locator('#timeline .mark.fault').count()).toBe(1);
    expect(await page.locator('#timeline .mark.alert').count()).toBeGreaterThan(0);
  });

  it('moves the scene to the chosen time: before the onset pump-1 is healthy, after the alert it is in alarm', async () => {
    const { fromMs } = (await (await fetch(new URL('/api/replay', url))).json()) as { fromMs: number };
    const slider = page.locator('#timeline input');
    await slider.fill(String(fromMs + 10_000));
    await expect.poll(shown, { timeout: 10_000 }).toBe(String(fromMs + 10_000));
    expect(await health('pump-1')).toBe('ok');
    await page.screenshot({ path: `${SHOTS}/replay-recording-before.png` });
    await slider.fill(String(fromMs + 30_000));
    await expect.poll(shown, { timeout: 10_000 }).toBe(String(fromMs + 30_000));
    expect(await health('pump-1')).toBe('alarm');
    expect(errors).toEqual([]);
  });

  it('deletes the store it built when it stops', async () => {
    const built = async () => (await readdir(dir)).filter((name) => name.startsWith('twinbed-recording-store-'));
    expect(await built()).toHaveLength(1);
    expect(await page_.stop()).toBe(0);
    expect(await built()).toEqual([]);
  });
});
