import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { openPage } from './chromium';
import { ROOT, spawnTwinbed, type TwinbedProcess } from './twinbed-process';

/** Where the browser tests save their screenshots for review. */
export const SHOTS = `${ROOT}/test-results/live-factory`;

/** `twinbed demo --replay …` (the rest of `args`) started, and its page open in Chromium once it printed its URL. */
export async function openReplayPage(
  args: readonly string[],
  options: { errors: string[]; timeoutMs: number; env?: Record<string, string> },
): Promise<{ process: TwinbedProcess; url: string; browser: Browser; page: Page }> {
  const process = spawnTwinbed(['demo', '--replay', ...args, '--port', '0'], { cwd: ROOT, ...(options.env ? { env: options.env } : {}) });
  const url = (await process.waitFor(/http:\/\/127\.0\.0\.1:\d+\//, options.timeoutMs))[0];
  await mkdir(SHOTS, { recursive: true });
  return { process, url, ...(await openPage(url, options.errors)) };
}

/** A machine's health as the page shows it. */
export const healthOn = (page: Page, device: string) => page.evaluate(`window.twinbed.health(${JSON.stringify(device)})`);

/** The event time the replay page shows, once it shows one. */
export const replayShown = (page: Page) => page.evaluate(() => document.body.dataset.replayAt);
