import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonResults, junitCases, validateJunit } from '../cli/test-command-support';
import { openReportOffline, readCharts } from '../support/report-page';
import { ROOT, runTwinbed } from '../support/twinbed-process';

// The scenario library is a suite, run as CI runs it: every file judged, reported as JUnit, HTML and JSON.
const CHROMIUM = process.env.TWINBED_CHROMIUM ?? '/usr/bin/chromium';
const LIBRARY = 'scenarios/library';
const SCREENSHOT = join(ROOT, 'test-results', 'library-report.png');

let dir: string;
let run: Awaited<ReturnType<typeof runTwinbed>>;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-library-'));
  // A hung scenario fails as timed out (exit 4) with its name, instead of the whole test timing out.
  run = await runTwinbed(['test', LIBRARY, '--reporter', 'junit,html,json', '--output', dir, '--timeout', '400', '--workers', '2']);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`twinbed test ${LIBRARY}`, () => {
  it('judges every library scenario and passes: exit 0, a JUnit case per file that validates against the XSD kept in the repo', async () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const files = (await readdir(join(ROOT, LIBRARY))).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(18);

    const junit = join(dir, 'junit.xml');
    const lint = validateJunit(junit);
    expect(lint.status, lint.output).toBe(0);
    const cases = await junitCases(junit);
    // No library file is left out for having nothing to judge.
    expect(cases.map((c) => c.classname).sort()).toEqual(files.map((f) => `${LIBRARY}/${f}`));
    expect(cases.filter((c) => c.verdicts.length > 0)).toEqual([]);

    const json = await jsonResults(dir);
    expect(json.summary).toMatchObject({ status: 'passed', exitCode: 0, counts: { passed: files.length, failed: 0, flaky: 0, timedOut: 0, errored: 0 } });
    for (const result of json.results) expect(result.attempts.map((a) => a.result?.passed), result.test.file).toEqual([true]);
  });

  it('writes an HTML report that opens offline in Chromium with no error and a drawn plot for every scenario', async () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { errors, offsite } = await openReportOffline(page, join(dir, 'index.html'));

    const json = await jsonResults(dir);
    await expect.poll(() => page.locator('details.test').count()).toBe(json.results.length);
    await page.locator('[data-action="expand-all"]').click();
    // Every scenario has a timeline and at least one trend, each drawn with more than a background and an axis.
    const allDrawn = async () => (await readCharts(page)).every((t) => t.charts.length >= 2 && t.charts.every((c) => c.drawn && c.colours > 8));
    await expect.poll(allDrawn, { timeout: 60_000 }).toBe(true);
    const charts = await readCharts(page);
    expect(charts.map((t) => t.id).sort()).toEqual(json.results.map((r) => r.test.id).sort());
    for (const test of charts) {
      expect(test.charts[0]!.kind, test.id).toBe('timeline');
      // The trends carry data: the series line is drawn, not only the frame.
      expect(Math.max(...test.charts.slice(1).map((c) => c.blue)), test.id).toBeGreaterThan(50);
    }
    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);
    await mkdir(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
