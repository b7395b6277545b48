import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../../../scenarios';
import { DATA_ELEMENT_ID, HtmlReporter, loadReportAssets, renderHtmlReport, ReportAssetsError, type HtmlReportData } from '../../../../../scenarios/suite/html';
import type { SuiteSummary, SuiteTestResult } from '../../../../../scenarios/suite/suite-types';

const HOSTILE = '</script><script>alert(1)</script> <!-- <script> </SCRIPT > \u2028\u2029 & "quotes"';

function result(name: string, detail = 'held'): RunResult {
  return {
    scenario: name,
    seed: 1,
    target: 'embedded',
    passed: true,
    simulatedS: 10,
    expectations: [{ name: `${name} expectation`, type: 'no-alert', passed: true, detail }],
    stats: {
      published: 1, acked: 1, stored: 1, windows: 1, duplicatesDropped: 0, alerts: 0, bytesPublished: 1,
      qos1: { published: 1, stored: 1 }, qos0: { published: 0, stored: 0, lost: 0 }, droppedBySensors: 0,
      observed: { messages: 1, bytes: 1, unmapped: {} }, devices: { connected: 1, failed: 0, errors: {} }, commandsReceived: 0,
    },
    timeline: { faults: [], alerts: [], commands: [], steps: [], series: [{ device: 'pump-1', sensor: 'accel', metric: 'rms', thresholds: [0.2], points: [[0, 0.1], [1, 0.3]] }] },
    telemetrySha256: '0'.repeat(64),
    wall: { ms: 10, speedup: 1000, connectP50Ms: 1, connectP99Ms: 2, pubackP50Ms: 1, pubackP99Ms: 2, pubackMaxMs: 3, settle: { how: 'complete', waitedMs: 1 } },
  };
}

function tests(): SuiteTestResult[] {
  return ['alpha', 'beta', HOSTILE].map((title, i) => ({
    test: { id: `t${i}.yaml`, file: `t${i}.yaml`, title, line: 1, seed: 1, repeatIndex: 0 },
    status: 'passed' as const,
    attempts: [{ retry: 0, status: 'passed' as const, durationMs: 10, result: result(title, i === 2 ? HOSTILE : 'held') }],
  }));
}

const summary: SuiteSummary = { status: 'passed', exitCode: 0, counts: { passed: 3, failed: 0, flaky: 0, timedOut: 0, errored: 0, interrupted: 0 }, durationMs: 30 };

/** The data a report embeds, read back the way the page reads it. */
function embedded(html: string): unknown {
  const open = `<script type="application/json" id="${DATA_ELEMENT_ID}">`;
  const start = html.indexOf(open) + open.length;
  return JSON.parse(html.slice(start, html.indexOf('</script>', start)));
}

describe('HtmlReporter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-html-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file, index.html by default, in a folder it creates, and nothing else', async () => {
    const reporter = new HtmlReporter({ outputDir: join(dir, 'report') });
    await reporter.onEnd(summary, tests());
    expect(reporter.path).toBe(join(dir, 'report', 'index.html'));
    expect(await readdir(join(dir, 'report'))).toEqual(['index.html']);
    const named = new HtmlReporter({ outputDir: dir, file: 'suite.html' });
    await named.onEnd(summary, tests());
    expect((await readdir(dir)).sort()).toEqual(['report', 'suite.html']);
  });

  it('is self-contained: every src and href points inside the file, and the page may load nothing', async () => {
    const reporter = new HtmlReporter({ outputDir: dir });
    await reporter.onEnd(summary, tests());
    const html = await readFile(reporter.path, 'utf8');
    // The whole file, uPlot and the page script included: a reference is only ever to `#…` or a data: URL.
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]!);
    expect(refs.filter((ref) => !ref.startsWith('#') && !ref.startsWith('data:'))).toEqual([]);
    expect(html).not.toMatch(/<link[^>]+rel=["']?stylesheet/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?!data:|#)/i);
    expect(html).toContain(`default-src 'none'`);
    // uPlot and the page are inline: its stylesheet and the page's own.
    expect(html).toContain('.u-legend');
    expect(html).toContain('.t-title');
    expect(html.length).toBeGreaterThan(50_000);
  });

  it('embeds every test, and data that says </script> cannot end its element', async () => {
    const reporter = new HtmlReporter({ outputDir: dir, now: () => Date.UTC(2025, 0, 1) });
    reporter.onBegin({ patterns: ['t*.yaml'], workers: 1, retries: 0, repeatEach: 1, failOnFlaky: false, outputDir: dir }, []);
    const results = tests();
    await reporter.onEnd(summary, results);
    const html = await readFile(reporter.path, 'utf8');
    // Two script elements, two closing tags: the hostile title and detail did not add one, nor open a comment.
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html).not.toContain('<!--');
    const data = embedded(html) as HtmlReportData;
    expect(data).toEqual(JSON.parse(JSON.stringify({ v: 1, title: 'twinbed test report', startedAt: '2025-01-01T00:00:00.000Z', config: { patterns: ['t*.yaml'], workers: 1, retries: 0, repeatEach: 1, failOnFlaky: false, outputDir: dir }, summary, results })));
    expect(data.results.map((r) => r.test.title)).toEqual(['alpha', 'beta', HOSTILE]);
  });

  it('keeps the inlined script and stylesheet from ending their elements, and escapes the title', () => {
    const html = renderHtmlReport(
      { v: 1, title: '<b>suite</b> & co', summary, results: [] },
      { script: 'const a = "</script><!--"; const re = /<\\/script>/;', css: '.x::after { content: "</style>"; }' },
    );
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html.match(/<\/style/gi)).toHaveLength(1);
    expect(html).not.toContain('<!--');
    expect(html).toContain('const a = "\\x3C/script>\\x3C!--"');
    expect(html).toContain('<title>&#60;b&#62;suite&#60;/b&#62; &#38; co</title>');
  });

  it('says to build twinbed when the page is not built', async () => {
    const missing = loadReportAssets(join(dir, 'nowhere', 'report-assets.js'));
    await expect(missing).rejects.toBeInstanceOf(ReportAssetsError);
    await expect(missing).rejects.toThrow(/not built .*run `npm run build`/);
  });
});
