import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthOn, openReplayPage, replayShown, SHOTS } from '../support/replay-page';
import { ROOT, runTwinbed, type TwinbedProcess } from '../support/twinbed-process';

describe('twinbed demo --replay: a finished run on the page, scrubbed', () => {
  let dir: string;
  let page_: TwinbedProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-replay-'));
    // smoke.yaml: pump-1's imbalance from 240 s, the RMS rule's alert before 300 s, 600 s in all.
    const run = await runTwinbed(['run', 'scenarios/smoke.yaml', '--store', join(dir, 'smoke.db'), '--quiet'], { cwd: ROOT });
    expect(run.code).toBe(0);
    ({ process: page_, url, browser, page } = await openReplayPage([join(dir, 'smoke.db'), '--scenario', 'scenarios/smoke.yaml'], { errors, timeoutMs: 20_000 }));
  });

  afterAll(async () => {
    await browser?.close();
    await page_?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const health = (device: string) => healthOn(page, device);
  const shown = () => replayShown(page);

  it('opens at the end of the run, with the fault and the alert marked on the timeline', async () => {
    await expect.poll(shown, { timeout: 20_000 }).toBeDefined();
    const extent = (await (await fetch(new URL('/api/replay', url))).json()) as { fromMs: number; toMs: number };
    expect(Number(await shown())).toBe(extent.toMs);
    expect((extent.toMs - extent.fromMs) / 1000).toBeGreaterThan(590);
    expect(await health('pump-1')).toBe('alarm');
    expect(await page.locator('#timeline .mark.fault').count()).toBe(1);
    expect(await page.locator('#timeline .mark.alert').count()).toBeGreaterThan(0);
  });

  it('moves the scene to the chosen time: before the onset pump-1 is healthy, after the alert it is in alarm again', async () => {
    const { fromMs } = (await (await fetch(new URL('/api/replay', url))).json()) as { fromMs: number };
    const slider = page.locator('#timeline input');
    await slider.fill(String(fromMs + 200_000));
    await expect.poll(shown, { timeout: 10_000 }).toBe(String(fromMs + 200_000));
    expect(await health('pump-1')).toBe('ok');
    expect(await page.locator('#timeline .at').textContent()).toMatch(/\(\+200 s\)$/);
    await page.screenshot({ path: `${SHOTS}/replay-before.png` });

    // A panel open while scrubbing follows too: its chart ends at the instant shown.
    await page.evaluate(`window.twinbed.open('pump-1')`);
    await expect.poll(async () => Number((await page.locator('#panel .uplot').first().getAttribute('data-points')) ?? 0), { timeout: 10_000 }).toBeGreaterThan(100);
    await slider.fill(String(fromMs + 400_000));
    await expect.poll(shown, { timeout: 10_000 }).toBe(String(fromMs + 400_000));
    expect(await health('pump-1')).toBe('alarm');
    await expect.poll(() => page.locator('#panel .health').textContent(), { timeout: 10_000 }).toBe('alarm');
    await page.screenshot({ path: `${SHOTS}/replay-after.png` });
    expect(errors).toEqual([]);
  });
});
