import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenarios';
import { openPage } from '../support/chromium';
import { ROOT, spawnCommand, type TwinbedProcess } from '../support/twinbed-process';

const SHOTS = `${ROOT}/test-results/live-factory`;

/** The page's own hooks (web/client/main.ts): where machines are and what is under a point. */
interface PageHooks {
  machines(): string[];
  screenPosition(device: string): { x: number; y: number; inView: boolean } | undefined;
  pick(x: number, y: number): string | undefined;
  health(device: string): string;
  sample(points: { x: number; y: number }[]): [number, number, number][];
}

const hooks = <T>(page: Page, f: (h: PageHooks) => T): Promise<T> =>
  page.evaluate(`(${f.toString()})(window.twinbed)`) as Promise<T>;

/** Waits for frames drawn after `condition` held: the DOM may run ahead of the canvas under load. */
async function framesAfter(page: Page, frames = 2): Promise<void> {
  const canvas = page.locator('#scene');
  const at = Number(await canvas.getAttribute('data-frame'));
  await expect.poll(async () => Number(await canvas.getAttribute('data-frame')), { timeout: 20_000 }).toBeGreaterThan(at + frames);
}

describe('npm start: the live factory', () => {
  let demo: TwinbedProcess;
  let url: string;
  let startupS: number;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const started = performance.now();
    // Exactly what the README tells users to run, on a free port.
    demo = spawnCommand('npm', ['start', '--silent', '--', '--port', '0'], { cwd: ROOT });
    url = (await demo.waitFor(/http:\/\/127\.0\.0\.1:\d+\//, 20_000))[0];
    startupS = (performance.now() - started) / 1000;
    await mkdir(SHOTS, { recursive: true });
    ({ browser, page } = await openPage(url, errors));
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('serves the page within 20 s, and curl gets it', async () => {
    expect(startupS).toBeLessThan(20);
    const { stdout } = await promisify(execFile)('curl', ['-sS', '--fail', url]);
    expect(stdout).toContain('<canvas id="scene"');
    expect(stdout).toContain('<script type="module" src="/app.js">');
  });

  it('draws every machine of the hall: picking at each one on the canvas finds that machine', async () => {
    const canvas = page.locator('#scene');
    await expect.poll(() => canvas.getAttribute('data-drawn-machines'), { timeout: 20_000 }).toBe('20');
    // Every machine has reported at least once, so its colour is its health rather than the waiting grey.
    await expect.poll(() => hooks(page, (h) => h.machines().filter((d) => h.health(d) === 'waiting')), { timeout: 30_000 }).toEqual([]);
    await framesAfter(page);
    const found = await hooks(page, (h) =>
      h.machines().map((device) => {
        const at = h.screenPosition(device);
        return { device, inView: at?.inView ?? false, picked: at ? h.pick(at.x, at.y) : undefined };
      }),
    );
    expect(found).toHaveLength(20);
    for (const f of found) expect(f, f.device).toEqual({ device: f.device, inView: true, picked: f.device });
    // Each template has its model: one of each kind is on the canvas.
    const kinds = ['pump-1', 'fan-1', 'conveyor-1', 'robot-1', 'hall-north'];
    expect(kinds.every((d) => found.some((f) => f.device === d))).toBe(true);

    // And the pixels say so: a machine's point is not the floor's colour.
    const colours = await hooks(page, (h) => {
      const points = h.machines().map((d) => h.screenPosition(d)!);
      return h.sample([{ x: 3, y: 700 }, ...points]);
    });
    const [floor, ...machines] = colours;
    const distance = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
    for (const colour of machines) expect(distance(colour, floor!)).toBeGreaterThan(20);
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/hall.png` });
  });

  it('opens a machine panel on a click, with its values and a chart that fills', async () => {
    const at = await hooks(page, (h) => h.screenPosition('pump-1'));
    await page.mouse.click(at!.x, at!.y);
    const panel = page.locator('#panel[data-device="pump-1"]');
    await expect.poll(() => panel.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => panel.locator('.values [data-sensor="accel"] .value').textContent(), { timeout: 15_000 }).toMatch(/^RMS \d+\.\d+ g · peak \d+\.\d+ g$/);
    await expect.poll(() => panel.locator('.values [data-sensor="winding-temp"] .value').textContent(), { timeout: 15_000 }).toMatch(/^\d+(\.\d+)? °C$/);
    const points = async () => Number((await panel.locator('.chart .uplot').first().getAttribute('data-points')) ?? 0);
    await expect.poll(points, { timeout: 20_000 }).toBeGreaterThan(1);
    // Live readings append to the open chart.
    const before = await points();
    await expect.poll(points, { timeout: 20_000 }).toBeGreaterThan(before);
    // The latest spectrum and envelope spectrum: the server asks pump-1's gateway for raw data, and both charts fill.
    const spectrumPoints = (chart: string) => page.evaluate((c) => Number(document.querySelector(`#panel .spectra .${c} .uplot`)?.getAttribute('data-points') ?? 0), chart);
    await expect.poll(() => spectrumPoints('spectrum-chart'), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => spectrumPoints('envelope-chart'), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await panel.locator('.spectrum-status').getAttribute('data-state')).toBe('ready');
    await page.screenshot({ path: `${SHOTS}/panel.png` });
    await panel.locator('.close').click();
    await expect.poll(() => page.locator('#panel').isHidden()).toBe(true);
  });

  it('injects a bearing fault on pump-1 from its panel: the machine turns to alarm and its alert appears within 30 s', async () => {
    const at = await hooks(page, (h) => h.screenPosition('pump-1'));
    await page.mouse.click(at!.x, at!.y);
    const panel = page.locator('#panel[data-device="pump-1"]');
    await expect.poll(() => panel.locator('.faults').isVisible(), { timeout: 10_000 }).toBe(true);
    await panel.locator('.fault-type').selectOption('bearing');
    const clicked = performance.now();
    await panel.locator('.inject').click();
    await expect.poll(() => panel.locator('.outcome').textContent(), { timeout: 10_000 }).toMatch(/^bearing fault \(outer\) from [\d.]+ s, severity 0\.8$/);
    await expect.poll(() => hooks(page, (h) => h.health('pump-1')), { timeout: 30_000 }).toBe('alarm');
    await expect.poll(() => page.locator('#alerts li[data-device="pump-1"][data-state="raised"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => panel.locator('.alert-list li[data-state="raised"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect((performance.now() - clicked) / 1000).toBeLessThan(30);
    // The demo's figures follow: how soon it was detected (event time, onset to alert) and what the edge saves.
    await expect.poll(() => page.locator('[data-kpi="lead"] .v').textContent(), { timeout: 10_000 }).toMatch(/^\d+(\.\d+)? s$/);
    await expect.poll(() => page.locator('[data-kpi="saving"] .v').textContent(), { timeout: 20_000 }).toMatch(/^\d+\.\d %$/);
    // The demo so far saves as a scenario: the loader takes it, with the injected fault as a step.
    const saved = await (await fetch(new URL(await page.locator('#save').getAttribute('href') ?? '', url))).text();
    const scenario = parseScenario(saved);
    expect(scenario.steps.at(-1)).toMatchObject({ device: 'pump-1', action: 'fault', args: { type: 'bearing', severity: 0.8 } });
    expect(scenario.twins).toHaveLength(20);
    await panel.evaluate((el) => el.scrollTo(0, 0));
    await framesAfter(page);
    await page.screenshot({ path: `${SHOTS}/fault.png` });
    await panel.locator('.close').click();
  });

  it('partitions the uplink from the link panel, shows it cut, and heals it: readings flow again', async () => {
    const link = page.locator('#links .link[data-link="edge->cloud"]');
    await expect.poll(() => link.getAttribute('data-state'), { timeout: 10_000 }).toBe('up');
    await page.locator('#links .partition').click();
    await expect.poll(() => link.getAttribute('data-state'), { timeout: 10_000 }).toBe('partitioned');
    await expect.poll(() => link.textContent()).toMatch(/PARTITIONED/);
    // The cut is real: the gateway's windows pile up behind it.
    const queued = async () => ((await (await fetch(new URL('/api/control/links', url))).json()) as { name: string; queued: number }[]).find((l) => l.name === 'edge->cloud')!.queued;
    await expect.poll(queued, { timeout: 20_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/partitioned.png` });
    const latestSeq = async () => ((await (await fetch(new URL('/api/devices/pump-2/latest/accel', url))).json()) as { seq: number }).seq;
    const cut = await latestSeq();
    await page.locator('#links .heal').click();
    await expect.poll(() => link.getAttribute('data-state'), { timeout: 10_000 }).toBe('up');
    // What waited behind the partition arrives, and new windows after it.
    await expect.poll(latestSeq, { timeout: 30_000 }).toBeGreaterThan(cut);
    // Energy integrates the motors' power readings (one per 10 s block) over event time since the page opened.
    await expect.poll(() => page.locator('[data-kpi="energy"] .v').textContent(), { timeout: 30_000 }).toMatch(/^\d+(\.\d+)? kWh$/);
    expect(errors).toEqual([]);
  });
});
