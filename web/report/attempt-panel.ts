import type { ChartSlot } from './chart-queue';
import { h, icon, swatch } from './dom';
import { featureChart } from './feature-chart';
import { formatMs, formatSimS, formatValue, plural } from './format';
import { latencySection } from './latency-section';
import type { AttemptView, ResultView, TestView, TimelineView } from './report-view';
import { timelineChart } from './timeline-chart';
import { ZoomGroup } from './zoom-group';

export const ATTEMPT_LABEL: Record<AttemptView['status'], string> = { passed: 'Passed', failed: 'Failed', timedOut: 'Timed out', errored: 'Errored' };

/** One attempt of a test, in full; its charts are slots the caller hands to the chart queue when the panel shows. */
export function attemptPanel(test: TestView, attempt: AttemptView): { el: HTMLElement; slots: ChartSlot[] } {
  const slots: ChartSlot[] = [];
  const result = attempt.result;
  const zoomState = h('span', { class: 'zoom-state', hidden: true });
  const group = new ZoomGroup(`${test.key}-r${attempt.retry}`, result?.timeline?.endS ?? 1, (view) => {
    zoomState.hidden = !view;
    zoomState.replaceChildren();
    if (!view) return;
    const all = h('button', { type: 'button', class: 'link-button' }, 'show the whole run');
    all.addEventListener('click', () => group.zoom(undefined));
    zoomState.append(`showing ${formatSimS(view[0])} – ${formatSimS(view[1])} · `, all);
  });
  const el = h(
    'div',
    { class: 'attempt', 'data-retry': attempt.retry, 'data-status': attempt.status },
    runFacts(attempt),
    attempt.error && errorBox(attempt.error),
    !result && h('p', { class: 'empty' }, attempt.error ? 'No run result: the scenario did not run to its end.' : 'No run result was recorded for this attempt.'),
    result && expectationsSection(result),
    result && (result.timeline ? timelineSection(result.timeline, group, slots, zoomState) : h('section', { class: 'section' }, h('h3', null, 'Fault timeline'), h('p', { class: 'empty' }, 'This result carries no timeline.'))),
    result?.timeline && featuresSection(result.timeline, group, slots),
    result && latencySection(result),
    result && result.reporterErrors.length > 0 && h('section', { class: 'section' }, h('h3', null, 'Reporter errors'), h('ul', { class: 'plain' }, ...result.reporterErrors.map((e) => h('li', null, e)))),
  );
  return { el, slots };
}

function runFacts(attempt: AttemptView): HTMLElement {
  const r = attempt.result;
  const facts: (string | HTMLElement)[] = [];
  if (r?.seed !== undefined) facts.push(`seed ${r.seed}`);
  if (r?.target) facts.push(`target ${r.target}`);
  if (r?.simulatedS !== undefined) facts.push(`${formatSimS(r.simulatedS)} simulated${r.wall.ms !== undefined ? ` in ${formatMs(r.wall.ms)}` : ''}${r.wall.speedup !== undefined ? ` (×${formatValue(r.wall.speedup)})` : ''}`);
  else if (attempt.durationMs !== undefined) facts.push(`ran ${formatMs(attempt.durationMs)}`);
  if (r?.wall.settleHow) facts.push(`settled: ${r.wall.settleHow}${r.wall.settleWaitedMs !== undefined ? ` after ${formatMs(r.wall.settleWaitedMs)}` : ''}`);
  if (r?.telemetrySha256) facts.push(h('span', { title: `SHA-256 of every published topic and payload: ${r.telemetrySha256}` }, `telemetry ${r.telemetrySha256.slice(0, 12)}`));
  return h('div', { class: 'facts' }, ...facts.flatMap((f, i) => (i === 0 ? [f] : [h('span', { class: 'sep' }, '·'), f])));
}

function errorBox(error: { message: string; stack?: string }): HTMLElement {
  // A stack usually repeats the message on its first line.
  const stack = error.stack && error.stack !== error.message ? error.stack.replace(`Error: ${error.message}\n`, '').replace(`${error.message}\n`, '') : undefined;
  return h('div', { class: 'error-box' }, h('div', { class: 'error-message' }, error.message), stack && h('pre', { class: 'stack' }, stack));
}

function expectationsSection(result: ResultView): HTMLElement {
  const list = result.expectations;
  const passed = list.filter((e) => e.state === 'passed').length;
  const skipped = list.filter((e) => e.state === 'skipped').length;
  const counts = list.length === 0 ? 'none' : `${passed} of ${list.length - skipped} held${skipped ? `, ${skipped} skipped` : ''}`;
  return h(
    'section',
    { class: 'section' },
    h('h3', null, 'Expectations ', h('span', { class: 'count' }, counts)),
    list.length === 0
      ? h('p', { class: 'empty' }, 'The scenario declares no expectations.')
      : h(
          'ul',
          { class: 'expectations' },
          ...list.map((e) =>
            h(
              'li',
              { class: `exp exp-${e.state}`, 'data-state': e.state },
              icon(e.state),
              h('div', { class: 'exp-body' }, h('div', { class: 'exp-name' }, e.name, e.type && h('span', { class: 'tag' }, e.type)), e.detail && h('div', { class: 'exp-detail' }, e.detail)),
            ),
          ),
        ),
  );
}

function timelineSection(t: TimelineView, group: ZoomGroup, slots: ChartSlot[], zoomState: HTMLElement): HTMLElement {
  const holder = h('div', { class: 'chart chart-timeline', 'data-chart': 'timeline' });
  slots.push({ el: holder, build: (el, width) => timelineChart(el, width, t, group) });
  const legend = h(
    'div',
    { class: 'legend' },
    h('span', { class: 'lg' }, swatch('fault', '--c-fault'), 'fault: onset → full severity'),
    h('span', { class: 'lg' }, swatch('up', '--c-alert'), 'alert raised'),
    h('span', { class: 'lg' }, swatch('up', '--c-anomaly'), 'anomaly raised'),
    h('span', { class: 'lg' }, swatch('down', '--c-cleared', true), 'cleared'),
    h('span', { class: 'lg' }, swatch('diamond', '--c-command'), 'command sent by the system'),
    h('span', { class: 'lg' }, swatch('square', '--c-step'), 'scenario step'),
  );
  return h(
    'section',
    { class: 'section' },
    h('h3', null, 'Fault timeline ', h('span', { class: 'count' }, `simulated time, 0 – ${formatSimS(t.endS)} · drag across any chart of this run to zoom them all`), zoomState),
    legend,
    holder,
    eventsTable(t),
  );
}

function eventsTable(t: TimelineView): HTMLElement {
  type Row = { atS: number; device: string; what: string; cls: string; detail: string };
  const rows: Row[] = [
    ...t.faults.map((f) => ({ atS: f.atS, device: f.device, what: 'fault', cls: 'ev-fault', detail: `${f.id} (${f.type}${f.sensor ? ` on ${f.sensor}` : ''}), full severity at ${formatSimS(f.fullAtS)}` })),
    ...t.alerts.map((a) => ({ atS: a.atS, device: a.device, what: `${a.kind} ${a.state}`, cls: a.state === 'cleared' ? 'ev-cleared' : `ev-${a.kind}`, detail: `${a.rule}${a.sensor ? ` (${a.sensor})` : ''}` })),
    ...t.commands.map((c) => ({ atS: c.atS, device: c.device, what: 'command', cls: 'ev-command', detail: c.action })),
    ...t.steps.map((s) => ({ atS: s.atS, device: s.device, what: 'step', cls: 'ev-step', detail: `${s.action}${s.outcome ? `: ${s.outcome}` : ''}` })),
  ].sort((a, b) => a.atS - b.atS);
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No faults, alerts, commands or steps in this run.');
  return h(
    'details',
    { class: 'events' },
    h('summary', null, `Events (${rows.length})`),
    h(
      'table',
      { class: 'data-table' },
      h('thead', null, h('tr', null, h('th', { class: 'num' }, 'time'), h('th', null, 'device'), h('th', null, 'event'), h('th', null, 'detail'))),
      h('tbody', null, ...rows.map((r) => h('tr', null, h('td', { class: 'num' }, formatSimS(r.atS)), h('td', null, r.device), h('td', null, h('span', { class: `ev ${r.cls}` }, r.what)), h('td', null, r.detail)))),
    ),
  );
}

function featuresSection(t: TimelineView, group: ZoomGroup, slots: ChartSlot[]): HTMLElement {
  const header = h('h3', null, 'Watched features ', h('span', { class: 'count' }, t.series.length === 0 ? 'none' : 'what the rules and the anomaly model watch, with their thresholds'));
  if (t.series.length === 0) return h('section', { class: 'section' }, header, h('p', { class: 'empty' }, 'No feature trends: the scenario has no rules and no anomaly model, or no window reached the observer.'));
  const cards = t.series.map((s, i) => {
    const readout = h('span', { class: 'readout' });
    const holder = h('div', { class: 'chart chart-feature', 'data-chart': `feature-${i}` });
    if (s.xs.length > 0) slots.push({ el: holder, build: (el, width) => featureChart(el, width, s, t, group, readout) });
    let peak = -Infinity;
    for (const y of s.ys) if (y > peak) peak = y;
    const crossed = s.thresholds.filter((th) => peak > th);
    return h(
      'figure',
      { class: 'feature' },
      h(
        'figcaption',
        null,
        h('span', { class: 'feature-name' }, h('span', { class: 'dim' }, `${s.device || 'any device'} · ${s.sensor || 'any sensor'} · `), s.metric),
        h('span', { class: 'feature-meta' }, s.ys.length > 0 ? `peak ${formatValue(peak)}` : '', s.thresholds.length > 0 && h('span', { class: crossed.length ? 'over' : 'under' }, ` · threshold ${s.thresholds.map(formatValue).join(', ')}`)),
        readout,
      ),
      s.xs.length > 0 ? holder : h('p', { class: 'empty' }, 'No points.'),
    );
  });
  return h('section', { class: 'section' }, header, h('div', { class: 'features' }, ...cards), h('p', { class: 'note' }, plural(t.series.length, 'feature'), ' · each point is the highest window value of its bucket · shaded: faults of the device · ▼ its alerts'));
}
