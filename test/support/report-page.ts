import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

// Reads the charts of twinbed's HTML report (scenarios/suite/html) in Chromium, for the tests that open one.

/** In the page, from an init script: a chart canvas's pixels and the snapshots {@link chartChanges} compares with. */
interface PageHelpers {
  pixelsOf(canvas: HTMLCanvasElement): Uint8ClampedArray;
  snapshots: Record<string, Uint8ClampedArray[]>;
}

/**
 * Reads a canvas through a copy. Reading the page's own canvas with getImageData again and again makes Chromium warn
 * and move it off the GPU, which changes how it antialiases every later frame.
 */
export function installPixelReader(page: Page) {
  return page.addInitScript(() => {
    const helpers = window as unknown as PageHelpers;
    helpers.snapshots = {};
    helpers.pixelsOf = (canvas) => {
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(canvas, 0, 0);
      return ctx.getImageData(0, 0, copy.width, copy.height).data;
    };
  });
}

/** Colours, series-blue and fault-orange pixels on each drawn chart of the tests' open attempts, per test. */
export function readCharts(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLDetailsElement>('details.test')].map((test) => {
      const charts = [...test.querySelectorAll<HTMLElement>('.attempt:not([hidden]) .chart')].map((chart) => {
        const canvas = chart.querySelector('canvas');
        if (!canvas || chart.dataset.drawn !== 'true') return { kind: chart.dataset.chart ?? '', drawn: false, colours: 0, blue: 0, orange: 0 };
        const data = (window as unknown as PageHelpers).pixelsOf(canvas);
        const colours = new Set<number>();
        let blue = 0;
        let orange = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
          if (a === 0) continue;
          colours.add((r << 16) | (g << 8) | b);
          // The series line (#0969da) and the fault shapes (#e16f24), with room for antialiasing.
          if (b > 150 && r < 80 && g > 70 && g < 140) blue++;
          if (r > 200 && g > 80 && g < 140 && b < 80) orange++;
        }
        return { kind: chart.dataset.chart ?? '', drawn: true, colours: colours.size, blue, orange };
      });
      return { id: test.dataset.testId ?? '', status: test.dataset.status ?? '', charts };
    }),
  );
}

/** Keeps a copy of each chart of a test's open attempt, in the page, for {@link chartChanges}. */
export function snapshotCharts(page: Page, testId: string) {
  return page.evaluate((id) => {
    const helpers = window as unknown as PageHelpers;
    const canvases = document.querySelectorAll<HTMLCanvasElement>(`details.test[data-test-id="${id}"] .attempt:not([hidden]) .chart canvas`);
    helpers.snapshots[id] = [...canvases].map((c) => helpers.pixelsOf(c));
  }, testId);
}

/** The share of each chart's pixels that differ from its snapshot. */
export function chartChanges(page: Page, testId: string) {
  return page.evaluate((id) => {
    const helpers = window as unknown as PageHelpers;
    const canvases = document.querySelectorAll<HTMLCanvasElement>(`details.test[data-test-id="${id}"] .attempt:not([hidden]) .chart canvas`);
    return [...canvases].map((c, i) => {
      const now = helpers.pixelsOf(c);
      const then = helpers.snapshots[id]![i]!;
      if (now.length !== then.length) return 1;
      let changed = 0;
      for (let p = 0; p < now.length; p += 4) if (now[p] !== then[p] || now[p + 1] !== then[p + 1] || now[p + 2] !== then[p + 2] || now[p + 3] !== then[p + 3]) changed++;
      return changed / (now.length / 4);
    });
  }, testId);
}

/**
 * Opens a report file as a user would, offline: anything but file: URLs is aborted and listed in `offsite`; page
 * errors and console errors or warnings are listed in `errors`. Charts can then be read with {@link readCharts}.
 */
export async function openReportOffline(page: Page, file: string): Promise<{ errors: string[]; offsite: string[] }> {
  const errors: string[] = [];
  const offsite: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console ${message.type()}: ${message.text()}`);
  });
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  await installPixelReader(page);
  await page.goto(pathToFileURL(file).href);
  return { errors, offsite };
}
