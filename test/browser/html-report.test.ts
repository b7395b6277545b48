import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { parseScenario, runScenario, type RunResult } from '../../scenarios';
import { HtmlReporter } from '../../scenarios/suite/html';
import type { SuiteAttempt, SuiteStatus, SuiteSummary, SuiteTestResult } from '../../scenarios/suite/suite-types';
import { chartChanges, openReportOffline, readCharts, snapshotCharts } from '../support/report-page';
import { ROOT } from '../support/twinbed-process';

const OUTPUT_DIR = join(ROOT, 'test-results', 'html-report');
const SCREENSHOT = join(ROOT, 'test-results', 'html-report.png');

// A pump whose imbalance ramps up, watched by a cloud RMS rule and an edge rule that slows it down; a fan with a
// scheduled step; a link with latency. A few simulated seconds, as fast as the machine goes.
const pumpScenario = (name: string, withinS: number) =>
  parseScenario(
    [
      `name: ${name}`,
      'seed: 11',
      'durationS: 30',
      'timeScale: max',
      'twins:',
      '  - { template: pump, id: pump-1, speedRpm: 1480 }',
      '  - { template: fan, id: fan-1 }',
      'faults:',
      '  - { type: imbalance, device: pump-1, atS: 8, rampS: 10, unbalanceGmm: 20000 }',
      'links:',
      '  - { link: twins->edge, atS: 0, latencyMs: 15 }',
      'rules:',
      '  - { metric: rms, sensor: accel, above: 0.5 }',
      'gateway:',
      '  rules:',
      '    - { name: rms-high, metric: rms, sensor: accel, above: 0.6 }',
      '  actions:',
      '    - { on: rms-high, action: slow-down, args: { speedRpm: 700, rampS: 2 } }',
      'steps:',
      '  - { atS: 4, device: fan-1, action: slow-down, args: { speedRpm: 900, rampS: 1 } }',
      'expect:',
      '  - { type: no-alert, beforeS: 8 }',
      `  - { type: alert, device: pump-1, withinS: ${withinS} }`,
      '  - { type: stored-exactly-once }',
      '',
    ].join('\n'),
    `${name}.yaml`,
  );

const fanScenario = () =>
  parseScenario(
    [
      'name: fan stays quiet',
      'seed: 5',
      'durationS: 12',
      'timeScale: max',
      'twins:',
      '  - { template: fan, id: fan-2 }',
      'rules:',
      '  - { metric: rms, sensor: accel, above: 0.3 }',
      'expect:',
      '  - { type: no-alert }',
      '',
    ].join('\n'),
    'fan-quiet.yaml',
  );

function suiteResult(file: string, title: string, status: SuiteStatus, attempts: SuiteAttempt[]): SuiteTestResult {
  return { test: { id: file, file, title, line: 1, seed: 11, repeatIndex: 0 }, status, attempts };
}

const attempt = (retry: number, result: RunResult): SuiteAttempt => ({ retry, status: result.passed ? 'passed' : 'failed', durationMs: result.wall.ms, result });

describe('html reporter: a report of real runs, opened offline in Chromium', () => {
  let browser: Browser;
  let reportFile: string;
  let runs: { passing: RunResult; failing: RunResult; quiet: RunResult };

  beforeAll(async () => {
    const [passing, failing, quiet] = await Promise.all([runScenario(pumpScenario('pump imbalance', 10)), runScenario(pumpScenario('pump imbalance, tight limit', 2)), runScenario(fanScenario())]);
    runs = { passing: passing!, failing: failing!, quiet: quiet! };
    expect(runs.passing.passed).toBe(true);
    expect(runs.failing.passed).toBe(false);
    // Shapes the page must survive: an attempt that errored without a result, a result without a timeline, a skipped
    // expectation and no watched features, a test the suite never ran.
    const bare = { ...runs.quiet, timeline: undefined, expectations: [...runs.quiet.expectations, { name: 'stored exactly once', type: 'stored-exactly-once' as const, passed: false, detail: 'skipped: the target has no store', skipped: 'the target has no store' }] } as unknown as RunResult;
    const results: SuiteTestResult[] = [
      suiteResult('pump-imbalance.yaml', 'pump imbalance', 'passed', [attempt(0, runs.passing)]),
      suiteResult('pump-tight.yaml', 'pump imbalance, tight limit', 'failed', [attempt(0, runs.failing)]),
      suiteResult('fan-quiet.yaml', 'fan stays quiet', 'flaky', [{ retry: 0, status: 'errored', durationMs: 12, error: { message: 'broker went away </script><img src=x onerror=alert(1)>', stack: 'Error: broker went away\n    at connect (stack.ts:1:1)' } }, attempt(1, runs.quiet)]),
      suiteResult('empty-timeline.yaml', 'a run with nothing on its timeline', 'passed', [attempt(0, { ...runs.quiet, timeline: { faults: [], alerts: [], commands: [], steps: [], series: [] } })]),
      suiteResult('no-timeline.yaml', 'an old result without a timeline', 'passed', [{ retry: 0, status: 'passed', durationMs: 5, result: bare }]),
      suiteResult('slow.yaml', 'a scenario that ran out of time', 'timedOut', [{ retry: 0, status: 'timedOut', durationMs: 60_000, error: { message: 'ran past --timeout 60 s at 412 s simulated' } }]),
      suiteResult('never.yaml', 'never started', 'interrupted', []),
    ];
    const summary: SuiteSummary = { status: 'failed', exitCode: 1, counts: { passed: 3, failed: 1, flaky: 1, timedOut: 1, errored: 0, interrupted: 1 }, durationMs: 9_400 };
    await rm(OUTPUT_DIR, { recursive: true, force: true });
    const reporter = new HtmlReporter({ outputDir: OUTPUT_DIR, now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    reporter.onBegin({ patterns: ['scenarios/library'], workers: 2, retries: 1, repeatEach: 1, failOnFlaky: false, outputDir: OUTPUT_DIR }, results.map((r) => r.test));
    await reporter.onEnd(summary, results);
    reportFile = reporter.path;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('opens from file:// with no network, no error, and a drawn plot for every scenario', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { errors, offsite } = await openReportOffline(page, reportFile);

    // Summary first, failures first.
    await expect.poll(() => page.locator('details.test').count()).toBe(7);
    expect(await page.locator('details.test').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.status))).toEqual(['failed', 'timedOut', 'flaky', 'interrupted', 'passed', 'passed', 'passed']);
    expect(await page.locator('.sums').textContent()).toMatch(/1 failed.*1 timed out.*1 flaky.*1 interrupted.*3 passed/);
    // The failure's reason is in the list, and its details are open with the failed expectation.
    const failed = page.locator('details.test[data-status="failed"]');
    await expect.poll(() => failed.getAttribute('open')).toBe('');
    const missed = runs.failing.expectations.find((e) => !e.passed)!;
    expect(await failed.locator('.t-reason').textContent()).toBe(missed.name);
    expect(await failed.locator('.exp-failed .exp-detail').textContent()).toBe(missed.detail);
    // The data's markup is text, never markup.
    expect(await page.locator('img').count()).toBe(0);

    // Filter by status: one chip shows only the flaky test, and puts it in the address.
    await page.locator('.chip[data-status="flaky"]').click();
    expect(await page.locator('details.test:not([hidden])').count()).toBe(1);
    expect(page.url()).toContain('#?s=flaky');
    await page.locator('.chip[data-status="all"]').click();

    await page.locator('[data-action="expand-all"]').click();
    // Every scenario that ran has its charts drawn: a timeline and a trend per watched feature.
    const plotted = ['pump-imbalance.yaml', 'pump-tight.yaml', 'empty-timeline.yaml'];
    const drawn = async () => {
      const tests = await readCharts(page);
      return plotted.every((id) => tests.find((t) => t.id === id)?.charts.every((c) => c.drawn) === true && tests.find((t) => t.id === id)!.charts.length > 0);
    };
    await expect.poll(drawn, { timeout: 15_000 }).toBe(true);
    const charts = await readCharts(page);
    const byId = new Map(charts.map((t) => [t.id, t.charts]));
    for (const id of plotted) {
      const list = byId.get(id)!;
      expect(list.length, id).toBeGreaterThan(0);
      for (const chart of list) expect(chart.colours, `${id} ${chart.kind}`).toBeGreaterThan(8);
    }
    // The pump: a timeline with its fault, and both devices' RMS trends drawn as blue lines over the fault band.
    const pump = byId.get('pump-imbalance.yaml')!;
    expect(pump.map((c) => c.kind)).toEqual(['timeline', 'feature-0', 'feature-1']);
    expect(pump[0]!.orange).toBeGreaterThan(200);
    for (const feature of pump.slice(1)) expect(feature.blue).toBeGreaterThan(100);
    // A drag across a trend zooms every chart of the run to that span; showing the whole run again restores them.
    const pumpTest = page.locator('details.test[data-test-id="pump-imbalance.yaml"]');
    await pumpTest.locator('[data-chart="feature-1"]').scrollIntoViewIfNeeded();
    await snapshotCharts(page, 'pump-imbalance.yaml');
    const plot = (await pumpTest.locator('[data-chart="feature-1"] .u-over').boundingBox())!;
    await page.mouse.move(plot.x + plot.width * 0.3, plot.y + plot.height / 2);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.6, plot.y + plot.height / 2, { steps: 4 });
    await page.mouse.up();
    const [, fromS, toS] = /^showing ([\d.]+) s – ([\d.]+) s/.exec((await pumpTest.locator('.zoom-state').textContent()) ?? '') ?? [];
    // 30% to 60% of a 0–30 s plot.
    expect(Number(fromS)).toBeCloseTo(9, 0);
    expect(Number(toS)).toBeCloseTo(18, 0);
    for (const changed of await chartChanges(page, 'pump-imbalance.yaml')) expect(changed).toBeGreaterThan(0.02);
    await pumpTest.locator('.zoom-state button').click();
    await expect.poll(async () => Math.max(...(await chartChanges(page, 'pump-imbalance.yaml')))).toBeLessThan(0.005);
    expect(await pumpTest.locator('.zoom-state').isHidden()).toBe(true);

    // The flaky test opens on its failed attempt: the error, no charts; the retry's tab has them.
    const flaky = page.locator('details.test[data-status="flaky"]');
    expect(await flaky.locator('.error-message').textContent()).toContain('broker went away </script><img');
    expect(byId.get('fan-quiet.yaml')).toEqual([]);
    await flaky.locator('.tab').nth(1).click();
    await expect.poll(async () => (await readCharts(page)).find((t) => t.id === 'fan-quiet.yaml')!.charts.every((c) => c.drawn && c.colours > 8), { timeout: 10_000 }).toBe(true);
    // The result without a timeline says so, with its skipped expectation shown as skipped.
    const bare = page.locator('details.test[data-test-id="no-timeline.yaml"]');
    expect(await bare.locator('.attempt').textContent()).toContain('This result carries no timeline.');
    expect(await bare.locator('.attempt .exp-skipped').count()).toBe(1);
    expect(byId.get('no-timeline.yaml')).toEqual([]);
    // The latency of the pump run: PUBACK, connect, action latency and the simulated link.
    const latency = await page.locator('details.test[data-test-id="pump-imbalance.yaml"] .latency').textContent();
    expect(latency).toMatch(/PUBLISH → PUBACK.*CONNECT → CONNACK.*Detection → command.*twins->edge/s);

    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);

    await page.locator('[data-action="collapse-all"]').click();
    await failed.locator('> summary').click();
    await page.locator('details.test[data-test-id="pump-imbalance.yaml"] > summary').click();
    await mkdir(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
