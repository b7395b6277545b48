import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnCommand, type TwinbedProcess } from '../support/twinbed-process';

const CHROMIUM = process.env.TWINBED_CHROMIUM ?? '/usr/bin/chromium';

describe('npm start: the live demo page', () => {
  let demo: TwinbedProcess;
  let url: string;
  let startupS: number;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const started = performance.now();
    // Exactly what the README tells users to run, on a free port.
    demo = spawnCommand('npm', ['start', '--silent', '--', '--port', '0'], { cwd: ROOT });
    url = (await demo.waitFor(/http:\/\/127\.0\.0\.1:\d+\//, 20_000))[0];
    startupS = (performance.now() - started) / 1000;
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

  it('draws the factory in WebGL and shows a live value that changes', async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);

    const rms = page.locator('.card[data-device="pump-1"] .rms');
    await expect.poll(() => rms.textContent(), { timeout: 15_000 }).toMatch(/^\d+\.\d{4} g RMS$/);
    const seq = page.locator('.card[data-device="pump-1"]');
    const firstSeq = Number(await seq.getAttribute('data-seq'));
    const firstText = await rms.textContent();
    await expect.poll(async () => Number(await seq.getAttribute('data-seq')), { timeout: 10_000 }).toBeGreaterThan(firstSeq);
    await expect.poll(() => rms.textContent(), { timeout: 10_000 }).not.toBe(firstText);
    await expect.poll(() => page.locator('.card').count(), { timeout: 10_000 }).toBe(3);
    // The card's headline stays on the vibration sensor; temperatures get their own lines.
    await expect.poll(() => page.locator('.card[data-device="pump-1"] [data-sensor="winding-temp"]').textContent(), { timeout: 15_000 }).toMatch(/^winding-temp \d+\.\d °C$/);
    expect(await rms.textContent()).toMatch(/ g RMS$/);

    // Wait for frames drawn after all three machines joined the scene: under load the first frames may lag the DOM.
    const canvas = page.locator('#scene');
    await expect.poll(() => canvas.getAttribute('data-drawn-machines'), { timeout: 15_000 }).toBe('3');
    const drawnAt = Number(await canvas.getAttribute('data-frame'));
    await expect.poll(async () => Number(await canvas.getAttribute('data-frame')), { timeout: 15_000 }).toBeGreaterThan(drawnAt + 1);

    // Read the WebGL canvas back: a blank or failed context is one flat colour.
    const readPixels = () =>
      page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('#scene')!;
        const copy = document.createElement('canvas');
        copy.width = canvas.width;
        copy.height = canvas.height;
        const ctx = copy.getContext('2d')!;
        ctx.drawImage(canvas, 0, 0);
        const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
        const colours = new Set<number>();
        let greenish = 0;
        for (let i = 0; i < data.length; i += 4 * 7) {
          colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
          if (data[i + 1]! > 120 && data[i + 1]! > data[i]! + 30 && data[i + 1]! > data[i + 2]! + 30) greenish++;
        }
        return { width: copy.width, height: copy.height, colours: colours.size, greenish };
      });
    await expect.poll(async () => (await readPixels()).colours, { timeout: 15_000 }).toBeGreaterThan(50);
    const pixels = await readPixels();
    expect(pixels.width).toBe(1280);
    expect(pixels.colours).toBeGreaterThan(50);
    // Healthy machines are drawn green.
    expect(pixels.greenish).toBeGreaterThan(100);
    expect(errors).toEqual([]);

    await mkdir(`${ROOT}/test-results`, { recursive: true });
    await page.screenshot({ path: `${ROOT}/test-results/demo-page.png` });
  });
});
