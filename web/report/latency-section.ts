import { h } from './dom';
import { formatCount, formatMs, formatValue } from './format';
import type { ResultView } from './report-view';

interface Row {
  label: string;
  hint: string;
  p50?: number;
  p99?: number;
  max?: number;
}

/**
 * The latency distributions a run measured, as p50 → p99 → max range bars on one scale per group (wall clock on this
 * machine; simulated link latency), then what was delivered. Undefined when the run measured none of it.
 */
export function latencySection(result: ResultView): HTMLElement | undefined {
  const { wall, links } = result;
  const wallRows: Row[] = [];
  if (wall.pubackP50Ms !== undefined || wall.pubackP99Ms !== undefined) wallRows.push({ label: 'PUBLISH → PUBACK', hint: 'twins to the broker, QoS 1', p50: wall.pubackP50Ms, p99: wall.pubackP99Ms, max: wall.pubackMaxMs });
  if (wall.connectP50Ms !== undefined || wall.connectP99Ms !== undefined) wallRows.push({ label: 'CONNECT → CONNACK', hint: 'twin connections', p50: wall.connectP50Ms, p99: wall.connectP99Ms });
  if (wall.actionLatencyP50Ms !== undefined || wall.actionLatencyP99Ms !== undefined) wallRows.push({ label: 'Detection → command', hint: 'edge action latency', p50: wall.actionLatencyP50Ms, p99: wall.actionLatencyP99Ms });
  const linkRows: Row[] = links.filter((l) => l.latencyP50Ms !== undefined || l.latencyP99Ms !== undefined).map((l) => ({ label: l.name, hint: 'simulated link', p50: l.latencyP50Ms, p99: l.latencyP99Ms }));

  const delivery = deliveryTiles(result);
  if (wallRows.length === 0 && linkRows.length === 0 && links.length === 0 && !delivery) return undefined;
  return h(
    'section',
    { class: 'section latency' },
    h('h3', null, 'Latency and delivery'),
    h('div', { class: 'latency-grid' }, wallRows.length > 0 && rangeTable('Wall clock on this machine', wallRows), linkRows.length > 0 && rangeTable('Simulated link latency', linkRows)),
    links.length > 0 && linkTable(result),
    delivery,
  );
}

function rangeTable(caption: string, rows: Row[]): HTMLElement {
  const scale = Math.max(...rows.flatMap((r) => [r.p50 ?? 0, r.p99 ?? 0, r.max ?? 0])) || 1;
  const pct = (v: number) => `${Math.min(100, (v / scale) * 100).toFixed(2)}%`;
  return h(
    'table',
    { class: 'range-table' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, h('th', null, ''), h('th', { class: 'num' }, 'p50'), h('th', { class: 'num' }, 'p99'), h('th', { class: 'num' }, 'max'), h('th', { class: 'bar-head' }, `0 – ${formatMs(scale)}`))),
    h(
      'tbody',
      null,
      ...rows.map((r) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, h('div', null, r.label), h('div', { class: 'hint' }, r.hint)),
          h('td', { class: 'num' }, formatMs(r.p50)),
          h('td', { class: 'num' }, formatMs(r.p99)),
          h('td', { class: 'num' }, formatMs(r.max)),
          h(
            'td',
            { class: 'bar-cell' },
            h(
              'div',
              { class: 'range-bar', title: `p50 ${formatMs(r.p50)} · p99 ${formatMs(r.p99)}${r.max !== undefined ? ` · max ${formatMs(r.max)}` : ''}` },
              r.p99 !== undefined && h('span', { class: 'rb-p99', style: `width:${pct(r.p99)}` }),
              r.p50 !== undefined && h('span', { class: 'rb-p50', style: `width:${pct(r.p50)}` }),
              r.max !== undefined && h('span', { class: 'rb-max', style: `left:${pct(r.max)}` }),
            ),
          ),
        ),
      ),
    ),
  );
}

function linkTable(result: ResultView): HTMLElement {
  const cols = ['sent', 'delivered', 'lost (QoS 0)', 'retransmitted (QoS 1)', 'duplicated'];
  return h(
    'table',
    { class: 'data-table links' },
    h('caption', null, 'Delivery per simulated link'),
    h('thead', null, h('tr', null, h('th', null, 'link'), ...cols.map((c) => h('th', { class: 'num' }, c)))),
    h(
      'tbody',
      null,
      ...result.links.map((l) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, l.name),
          h('td', { class: 'num' }, formatCount(l.sent)),
          h('td', { class: 'num' }, formatCount(l.delivered)),
          h('td', { class: l.lostQos0 ? 'num warn' : 'num' }, formatCount(l.lostQos0)),
          h('td', { class: 'num' }, formatCount(l.retransmittedQos1)),
          h('td', { class: 'num' }, formatCount(l.duplicated)),
        ),
      ),
    ),
  );
}

function deliveryTiles(result: ResultView): HTMLElement | undefined {
  const s = result.stats;
  const tiles: [string, string, boolean][] = [];
  const add = (label: string, value: string | undefined, bad = false) => {
    if (value !== undefined && value !== '–') tiles.push([label, value, bad]);
  };
  add('published', formatCount(s.published));
  add('acknowledged', formatCount(s.acked), s.acked !== undefined && s.published !== undefined && s.acked < s.published);
  if (s.qos1Published !== undefined) add('QoS 1 stored', `${formatCount(s.qos1Stored)} / ${formatCount(s.qos1Published)}`, (s.qos1Stored ?? 0) < s.qos1Published);
  else add('stored', formatCount(s.stored));
  if (s.qos0Published) add('QoS 0 lost', formatCount(s.qos0Lost));
  add('duplicates dropped', formatCount(s.duplicatesDropped));
  if (s.deadLettered) add('dead-lettered', formatCount(s.deadLettered), true);
  if (s.droppedBySensors) add('dropped by sensors', formatCount(s.droppedBySensors));
  add('alerts', formatCount(s.alerts));
  add('commands obeyed', formatCount(s.commandsReceived));
  if (s.bandwidthReduction !== undefined) add('edge bandwidth', `÷ ${formatValue(s.bandwidthReduction)}`);
  if (s.devicesConnected !== undefined) add('devices connected', `${formatCount(s.devicesConnected)}${s.devicesFailed ? ` (${s.devicesFailed} failed)` : ''}`, (s.devicesFailed ?? 0) > 0);
  if (tiles.length === 0) return undefined;
  return h('dl', { class: 'tiles' }, ...tiles.map(([label, value, bad]) => h('div', { class: bad ? 'tile bad' : 'tile' }, h('dt', null, label), h('dd', null, value))));
}
