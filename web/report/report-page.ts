import { ATTEMPT_LABEL, attemptPanel } from './attempt-panel';
import { ChartQueue, type ChartSlot } from './chart-queue';
import { append, h, icon } from './dom';
import { formatMs, plural } from './format';
import { STATUS_ORDER, type AttemptView, type ReportView, type TestStatus, type TestView } from './report-view';

export const STATUS_LABEL: Record<TestStatus, string> = { passed: 'Passed', failed: 'Failed', flaky: 'Flaky', timedOut: 'Timed out', errored: 'Errored', interrupted: 'Interrupted' };

/** Chips always shown, as Playwright's report does; the rarer statuses only when some test has them. */
const ALWAYS_CHIPS: readonly TestStatus[] = ['passed', 'failed', 'flaky', 'timedOut'];
const CHIP_ORDER: readonly TestStatus[] = ['passed', 'failed', 'flaky', 'timedOut', 'errored', 'interrupted'];

interface Filter {
  status: TestStatus | 'all';
  query: string;
}

/** Reports what went wrong drawing a part of the page, there and in the console, without stopping the rest. */
export function reportError(where: HTMLElement, what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-console -- the browser console is this page's log, and the browser test fails on any error in it
  console.error(`twinbed report: ${what}:`, error);
  append(where, h('div', { class: 'error-box' }, h('div', { class: 'error-message' }, `${what}: ${message}`)));
}

export function mountReport(app: HTMLElement, report: ReportView): void {
  const queue = new ChartQueue((error, slot) => reportError(slot.el, 'this chart could not be drawn', error));
  const filter = readHash();
  const tests = [...report.tests].sort(byStatusThenFile);
  const rows = tests.map((t) => testRow(t, queue));
  const list = h('div', { class: 'tests', role: 'list' }, ...rows.map((r) => r.el));
  const shown = h('div', { class: 'shown' });
  const noMatch = h('p', { class: 'empty no-match', hidden: true }, 'No test matches this filter.');
  const chips = new Map<TestStatus | 'all', HTMLElement>();
  const chip = (status: TestStatus | 'all', label: string, count: number) => {
    const el = h('button', { type: 'button', class: `chip chip-${status}`, 'data-status': status, 'aria-pressed': 'false' }, status !== 'all' && icon(status), label, h('span', { class: 'chip-count' }, count));
    el.addEventListener('click', () => apply({ ...filter, status: filter.status === status && status !== 'all' ? 'all' : status }));
    chips.set(status, el);
    return el;
  };
  const search = h('input', { type: 'search', class: 'search', placeholder: 'Filter by name or file', 'aria-label': 'Filter tests by name or file', value: filter.query });
  search.addEventListener('input', () => apply({ ...filter, query: search.value }));
  const expandAll = h('button', { type: 'button', class: 'link-button', 'data-action': 'expand-all' }, 'Expand all');
  const collapseAll = h('button', { type: 'button', class: 'link-button', 'data-action': 'collapse-all' }, 'Collapse all');
  expandAll.addEventListener('click', () => {
    for (const r of rows) if (!r.el.hidden) r.el.open = true;
  });
  collapseAll.addEventListener('click', () => {
    for (const r of rows) r.el.open = false;
  });

  function apply(next: Filter): void {
    filter.status = next.status;
    filter.query = next.query;
    const q = filter.query.trim().toLowerCase();
    let visible = 0;
    for (const r of rows) {
      const show = (filter.status === 'all' || r.test.status === filter.status) && (q === '' || r.haystack.includes(q));
      r.el.hidden = !show;
      if (show) visible++;
    }
    for (const [status, el] of chips) el.setAttribute('aria-pressed', String(status === filter.status));
    noMatch.hidden = visible > 0 || rows.length === 0;
    shown.textContent = visible === rows.length ? plural(rows.length, 'test') : `${visible} of ${plural(rows.length, 'test')}`;
    writeHash(filter);
  }

  append(
    app,
    header(report),
    report.problems.length > 0 && h('div', { class: 'problems' }, ...report.problems.map((p) => h('p', null, p))),
    h(
      'div',
      { class: 'toolbar' },
      h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by status' }, chip('all', 'All', tests.length), ...CHIP_ORDER.filter((s) => ALWAYS_CHIPS.includes(s) || report.counts[s] > 0).map((s) => chip(s, STATUS_LABEL[s], report.counts[s]))),
      search,
    ),
    h('div', { class: 'list-head' }, shown, h('span', { class: 'list-actions' }, expandAll, collapseAll)),
    list,
    noMatch,
    rows.length === 0 && h('p', { class: 'empty' }, 'This suite ran no tests.'),
    h('footer', null, 'twinbed · charts by uPlot (MIT) · this file works offline: data, script and styles are inside it'),
  );
  apply(filter);
  // What needs a look opens by itself: failures, time-outs and errors, or the only test there is.
  for (const r of rows) if ((rows.length === 1 || ['failed', 'timedOut', 'errored'].includes(r.test.status)) && !r.el.hidden) r.el.open = true;
}

function header(report: ReportView): HTMLElement {
  const facts: string[] = [];
  if (report.startedAt) {
    const d = new Date(report.startedAt);
    facts.push(Number.isNaN(d.getTime()) ? report.startedAt : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }));
  }
  if (report.durationMs !== undefined) facts.push(`took ${formatMs(report.durationMs)}`);
  const c = report.config;
  if (c.workers !== undefined) facts.push(plural(c.workers, 'worker'));
  if (c.shard) facts.push(`shard ${c.shard}`);
  if (c.retries) facts.push(plural(c.retries, 'retry', 'retries'));
  if (c.repeatEach && c.repeatEach > 1) facts.push(`repeat each ×${c.repeatEach}`);
  if (c.timeoutS !== undefined) facts.push(`timeout ${c.timeoutS} s`);
  if (c.seed !== undefined) facts.push(`seed ${c.seed}`);
  if (c.grep) facts.push(`grep ${c.grep}`);
  if (c.grepInvert) facts.push(`grep-invert ${c.grepInvert}`);
  const status = report.status ?? (report.counts.failed + report.counts.timedOut + report.counts.errored > 0 ? 'failed' : 'passed');
  const counts = STATUS_ORDER.filter((s) => report.counts[s] > 0).map((s) => h('span', { class: `sum sum-${s}` }, icon(s), `${report.counts[s]} ${STATUS_LABEL[s].toLowerCase()}`));
  return h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'top-row' },
      h('h1', null, report.title),
      h('span', { class: `verdict verdict-${status}`, 'data-status': status }, status === 'passed' ? 'passed' : status, report.exitCode !== undefined && h('span', { class: 'exit' }, ` · exit ${report.exitCode}`)),
    ),
    h('div', { class: 'sums' }, ...counts),
    facts.length > 0 && h('div', { class: 'facts' }, ...facts.flatMap((f, i) => (i === 0 ? [f] : [h('span', { class: 'sep' }, '·'), f]))),
  );
}

interface Row {
  test: TestView;
  el: HTMLDetailsElement;
  haystack: string;
}

function testRow(test: TestView, queue: ChartQueue): Row {
  const where = test.file ? `${test.file}${test.line !== undefined ? `:${test.line}` : ''}` : '';
  const tags = [
    test.repeatIndex > 0 && h('span', { class: 'tag' }, `repeat ${test.repeatIndex + 1}`),
    test.attempts.length > 1 && h('span', { class: 'tag' }, plural(test.attempts.length - 1, 'retry', 'retries')),
  ];
  const reason = reasonOf(test);
  const summary = h(
    'summary',
    null,
    icon('chevron'),
    h('span', { class: `status status-${test.status}`, title: STATUS_LABEL[test.status] }, icon(test.status)),
    h(
      'div',
      { class: 't-main' },
      h('div', { class: 't-title' }, test.title, ...tags),
      h('div', { class: 't-sub' }, where, test.seed !== undefined && h('span', null, `seed ${test.seed}`), test.status !== 'passed' && h('span', { class: `t-status status-${test.status}` }, STATUS_LABEL[test.status])),
      reason && h('div', { class: 't-reason' }, reason),
    ),
    h('div', { class: 't-duration' }, formatMs(test.durationMs)),
  );
  const body = h('div', { class: 't-body' });
  const el = h('details', { class: 'test', role: 'listitem', id: `test-${test.key}`, 'data-status': test.status, 'data-test-id': test.id }, summary, body);
  let built = false;
  let showAttempt: (() => void) | undefined;
  el.addEventListener('toggle', () => {
    if (!el.open) return;
    if (!built) {
      built = true;
      try {
        showAttempt = buildBody(test, body, queue);
      } catch (error) {
        reportError(body, 'this test could not be drawn', error);
      }
    }
    showAttempt?.();
  });
  return { test, el, haystack: `${test.title}\n${test.file}\n${test.id}`.toLowerCase() };
}

/** One line on why a test did not pass, for the list. */
function reasonOf(test: TestView): string | undefined {
  if (test.status === 'passed') return undefined;
  const failing = test.status === 'flaky' ? test.attempts.find((a) => a.status !== 'passed') : test.attempts[test.attempts.length - 1];
  if (!failing) return test.status === 'interrupted' ? 'not run: the suite stopped first' : undefined;
  const why = failing.error?.message ?? failing.result?.expectations.find((e) => e.state === 'failed')?.name;
  const prefix = test.status === 'flaky' ? `passed on retry; attempt ${failing.retry + 1} ${ATTEMPT_LABEL[failing.status].toLowerCase()}` : '';
  return [prefix, why].filter(Boolean).join(': ') || undefined;
}

/** Fills a test's body; returns what to do each time it is shown (queue the visible attempt's charts). */
function buildBody(test: TestView, body: HTMLElement, queue: ChartQueue): () => void {
  if (test.attempts.length === 0) {
    append(body, h('p', { class: 'empty' }, test.status === 'interrupted' ? 'Not run: the suite stopped before this test.' : 'No attempt was recorded.'));
    return () => {};
  }
  const panels = test.attempts.map(() => ({ el: undefined as HTMLElement | undefined, slots: [] as ChartSlot[] }));
  const host = h('div', { class: 'attempt-host' });
  let current = defaultAttempt(test);
  const show = () => {
    panels.forEach((p, i) => {
      if (p.el) p.el.hidden = i !== current;
    });
    const panel = panels[current]!;
    if (!panel.el) {
      try {
        const built = attemptPanel(test, test.attempts[current]!);
        panel.el = built.el;
        panel.slots = built.slots;
      } catch (error) {
        panel.el = h('div', { class: 'attempt' });
        reportError(panel.el, 'this attempt could not be drawn', error);
      }
      host.appendChild(panel.el);
    }
    panel.slots.forEach((s) => queue.add(s));
  };
  if (test.attempts.length > 1) {
    const tabs = test.attempts.map((a, i) => {
      const tab = h('button', { type: 'button', role: 'tab', class: `tab status-${a.status}`, 'aria-selected': String(i === current) }, icon(a.status), tabLabel(a), a.durationMs !== undefined && h('span', { class: 'dim' }, ` ${formatMs(a.durationMs)}`));
      tab.addEventListener('click', () => {
        current = i;
        tabs.forEach((t, j) => t.setAttribute('aria-selected', String(j === i)));
        show();
      });
      return tab;
    });
    append(body, h('div', { class: 'tabs', role: 'tablist' }, ...tabs));
  }
  append(body, host);
  return show;
}

function tabLabel(a: AttemptView): string {
  return `${a.retry === 0 ? 'Run' : `Retry #${a.retry}`} · ${ATTEMPT_LABEL[a.status]}`;
}

/** The attempt a test opens on: for a flaky test the first failure (what needs explaining), else the last. */
function defaultAttempt(test: TestView): number {
  if (test.status === 'flaky') {
    const i = test.attempts.findIndex((a) => a.status !== 'passed');
    if (i >= 0) return i;
  }
  return test.attempts.length - 1;
}

function byStatusThenFile(a: TestView, b: TestView): number {
  return STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.file.localeCompare(b.file) || a.repeatIndex - b.repeatIndex || a.title.localeCompare(b.title);
}

function readHash(): Filter {
  const params = new URLSearchParams(location.hash.replace(/^#\??/, ''));
  const s = params.get('s');
  return { status: s && (STATUS_ORDER as readonly string[]).includes(s) ? (s as TestStatus) : 'all', query: params.get('q') ?? '' };
}

/** The filter lives in the address (`#?s=failed&q=pump`), so a link to the report can point at what matters. */
function writeHash(filter: Filter): void {
  const params = new URLSearchParams();
  if (filter.status !== 'all') params.set('s', filter.status);
  if (filter.query) params.set('q', filter.query);
  const query = params.toString();
  const hash = query ? `#?${query}` : '';
  if (hash === location.hash || (hash === '' && location.hash === '')) return;
  try {
    history.replaceState(null, '', hash || location.pathname + location.search);
  } catch {
    // Some browsers refuse history changes on file:// pages; the filter still works, it is just not in the address.
  }
}
