import 'uplot/dist/uPlot.min.css';
import { FactoryScene } from './factory-scene';
import { HealthBook } from './health';
import { fixed } from './headline';
import type { LiveAlert, LiveReading, LiveSnapshot, PageConfig } from './live-reading';
import { EnergyIntegrator } from '../../protocol/energy-integrator';
import { edgeSaving, FaultKpis } from './kpis';
import { MachinePanel } from './machine-panel';
import { MACHINE_KINDS, type MachineKind, type SiteLayout, type SiteMachine } from './site';

const canvas = document.querySelector<HTMLCanvasElement>('#scene')!;
const status = document.querySelector<HTMLElement>('#status')!;
const scene = new FactoryScene(canvas, document.body);
let config: PageConfig = { title: 'twinbed', rules: [], controls: false };
let health: HealthBook;
let panel: MachinePanel;
let site: SiteLayout = { site: '', machines: [] };
/** Latest reading per device, per sensor. */
const latest = new Map<string, Map<string, LiveReading>>();
let events: EventSource | undefined;
const kpis = new FaultKpis();
/** Energy per machine since the page opened, from its power meter's readings in event time (kWh, trapezoid rule). */
const meters = new Map<string, EnergyIntegrator>();
/** Share of device bytes the edge kept off the uplink, from the gateways' status counters. */
let saving: number | undefined;
/** Stream events taken, by kind: the web bench reads how many updates a panel got. */
const received = { snapshot: 0, readings: 0, focus: 0, alert: 0 };

function machineOf(device: string): SiteMachine | undefined {
  return site.machines.find((m) => m.device === device);
}

/** Without a site from the scenario, a machine is drawn once its readings arrive, its kind guessed from its sensors. */
function ensureMachine(r: LiveReading): void {
  if (machineOf(r.device)) return;
  const sensors = [...(latest.get(r.device)?.keys() ?? [r.sensor])];
  const kind: MachineKind = sensors.includes('accel') ? 'pump' : sensors.includes('belt-speed') ? 'conveyor' : sensors.some((s) => s.startsWith('ambient')) ? 'environment' : 'other';
  site = { ...site, machines: [...site.machines, { device: r.device, kind, sensors }] };
  scene.setSite(site);
  for (const m of site.machines) paint(m.device);
}

/** What each machine was last painted as: most readings change nothing a viewer could see. */
const painted = new Map<string, string>();

function paint(device: string): void {
  const state = health.state(device);
  const { r, g, b } = state.colour;
  const look = `${state.level} ${r.toFixed(2)} ${g.toFixed(2)} ${b.toFixed(2)}`;
  if (painted.get(device) === look) return;
  painted.set(device, look);
  scene.setHealth(device, state.colour, state.level === 'alarm');
  document.querySelector<HTMLElement>(`.machine-label[data-device="${CSS.escape(device)}"]`)?.setAttribute('data-level', state.level);
}

function onReading(r: LiveReading): void {
  const sensors = latest.get(r.device) ?? new Map<string, LiveReading>();
  sensors.set(r.sensor, r);
  latest.set(r.device, sensors);
  if (!config.site) ensureMachine(r);
  health.onReading(r);
  if (r.sensor === 'power' && r.features.mean !== undefined && !config.replay) meter(r.device, r.tsMs / 1000, r.features.mean);
  // Moving parts follow what the machine reports: a shaft-speed feature, a belt-speed reading.
  if (r.features.shaftHz !== undefined) scene.setRates(r.device, { rpm: r.features.shaftHz * 60 });
  if (r.sensor === 'belt-speed' && r.features.mean !== undefined) scene.setRates(r.device, { beltMS: r.features.mean });
}

function onAlert(a: LiveAlert): void {
  health.onAlert(a);
  kpis.onAlert(a, (a.sensor && latest.get(a.device)?.get(a.sensor)?.windowMs) || 0);
  paint(a.device);
  renderKpis();
  if (panel.device === a.device) void panel.refreshAlerts();
  onAlertLine(a);
}

function onAlertLine(a: LiveAlert): void {
  const list = document.querySelector<HTMLElement>('#alerts')!;
  const item = document.createElement('li');
  item.dataset.device = a.device;
  item.dataset.state = a.state;
  item.textContent = `${new Date(a.tsMs).toISOString().slice(11, 19)} ${a.device} ${a.state === 'raised' ? '⚠' : '✓'} ${a.message}`;
  list.prepend(item);
  while (list.children.length > 8) list.lastElementChild!.remove();
}

/** Opens the stream, focused on a device when a panel is open: its every reading, at up to 25 updates a second. */
function connect(focus?: string): void {
  events?.close();
  const stream = new EventSource(`/api/stream${focus ? `?focus=${encodeURIComponent(focus)}` : ''}`);
  events = stream;
  stream.addEventListener('open', () => {
    status.textContent = 'live';
    status.dataset.state = 'live';
  });
  stream.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.dataset.state = 'offline';
  });
  stream.addEventListener('snapshot', (e) => {
    received.snapshot++;
    const snapshot = JSON.parse((e as MessageEvent<string>).data) as LiveSnapshot;
    // Replaying every change so far ends in the state now, whatever this page saw before a reconnect.
    snapshot.readings.forEach(onReading);
    snapshot.alerts.forEach((a) => health.onAlert(a));
    for (const m of site.machines) paint(m.device);
    renderKpis();
  });
  stream.addEventListener('readings', (e) => {
    received.readings++;
    const readings = JSON.parse((e as MessageEvent<string>).data) as LiveReading[];
    readings.forEach(onReading);
    if (readings.length > 0) scene.setEventTime(readings.reduce((latestMs, r) => Math.max(latestMs, r.tsMs + r.windowMs), 0));
    for (const device of new Set(readings.map((r) => r.device))) paint(device);
    renderKpis();
  });
  stream.addEventListener('focus', (e) => {
    received.focus++;
    for (const r of JSON.parse((e as MessageEvent<string>).data) as LiveReading[]) panel.onReading(r);
  });
  stream.addEventListener('alert', (e) => {
    received.alert++;
    onAlert(JSON.parse((e as MessageEvent<string>).data) as LiveAlert);
  });
}

function focusOn(device: string | undefined): void {
  if (device === panel.device) return;
  scene.select(device);
  if (!config.replay) connect(device);
  const machine = device ? machineOf(device) : undefined;
  if (machine) void panel.open(machine, [...(latest.get(machine.device)?.values() ?? [])], replayAt);
  else panel.close(false);
}

/** The instant a replay shows, ms since the Unix epoch; undefined when live. */
let replayAt: number | undefined;

/** A finished run: a timeline to scrub, with its faults and alerts marked; the scene and panel follow the handle. */
async function startReplay(): Promise<void> {
  status.textContent = 'replay';
  status.dataset.state = 'replay';
  const extent = (await (await fetch('/api/replay')).json()) as { fromMs: number; toMs: number; alerts: LiveAlert[] };
  const bar = document.querySelector<HTMLElement>('#timeline')!;
  bar.hidden = false;
  const slider = bar.querySelector<HTMLInputElement>('input')!;
  slider.min = String(extent.fromMs);
  slider.max = String(extent.toMs);
  slider.step = '1000';
  slider.value = String(extent.toMs);
  const span = Math.max(extent.toMs - extent.fromMs, 1);
  const marks = bar.querySelector<HTMLElement>('.marks')!;
  const mark = (atMs: number, kind: string, title: string) => {
    const el = document.createElement('span');
    el.className = `mark ${kind}`;
    el.style.left = `${((atMs - extent.fromMs) / span) * 100}%`;
    el.title = title;
    marks.append(el);
  };
  for (const f of config.faults ?? []) mark(f.atMs, 'fault', `${f.device} ${f.type}`);
  for (const a of extent.alerts) if (a.state === 'raised') mark(a.tsMs, 'alert', `${a.device}: ${a.message}`);
  let pending: number | undefined;
  let showing = false;
  // One request at a time; a drag that moved on meanwhile is shown next, the positions between are skipped.
  const show = async () => {
    if (showing || pending === undefined) return;
    showing = true;
    const at = pending;
    pending = undefined;
    await showAt(at, extent.fromMs);
    showing = false;
    void show();
  };
  slider.addEventListener('input', () => {
    pending = Number(slider.value);
    void show();
  });
  pending = extent.toMs;
  await show();
}

async function showAt(atMs: number, fromMs: number): Promise<void> {
  const state = (await (await fetch(`/api/replay/state?at=${atMs}`)).json()) as { readings: LiveReading[]; alerts: LiveAlert[] };
  replayAt = atMs;
  scene.setEventTime(atMs);
  latest.clear();
  health.reset();
  state.readings.forEach(onReading);
  state.alerts.forEach((a) => health.onAlert(a));
  for (const m of site.machines) paint(m.device);
  renderKpis();
  const list = document.querySelector<HTMLElement>('#alerts')!;
  list.replaceChildren();
  for (const a of state.alerts.slice(-8)) onAlertLine(a);
  const label = document.querySelector<HTMLElement>('#timeline .at')!;
  label.textContent = `${new Date(atMs).toISOString().slice(11, 19)} (+${Math.round((atMs - fromMs) / 1000)} s)`;
  // What the page shows now, for tests to wait on.
  document.body.dataset.replayAt = String(atMs);
  const open = panel.device ? machineOf(panel.device) : undefined;
  if (open) await panel.open(open, [...(latest.get(open.device)?.values() ?? [])], atMs);
}

function meter(device: string, tS: number, kw: number): void {
  const m = meters.get(device) ?? new EnergyIntegrator();
  meters.set(device, m);
  // A reconnect's snapshot repeats a reading already metered: only newer ones count.
  if (m.lastS === undefined || tS > m.lastS) m.add(tS, kw);
}

/** Hall figures for a demo: machines, alarms, electrical power now. */
function renderKpis(): void {
  const alarms = site.machines.filter((m) => health.state(m.device).level === 'alarm').length;
  let kw = 0;
  for (const sensors of latest.values()) kw += sensors.get('power')?.features.mean ?? 0;
  const el = document.querySelector<HTMLElement>('#kpis')!;
  el.querySelector('[data-kpi="machines"] .v')!.textContent = String(site.machines.length);
  el.querySelector('[data-kpi="alarms"] .v')!.textContent = String(alarms);
  el.querySelector('[data-kpi="power"] .v')!.textContent = kw > 0 ? `${fixed(kw)} kW` : '–';
  let kWh = 0;
  for (const m of meters.values()) kWh += m.kWh;
  el.querySelector('[data-kpi="energy"] .v')!.textContent = kWh > 0 ? `${fixed(kWh)} kWh` : '–';
  el.querySelector('[data-kpi="saving"] .v')!.textContent = saving === undefined ? '–' : `${(saving * 100).toFixed(1)} %`;
  const lead = kpis.lastLeadS;
  el.querySelector('[data-kpi="lead"] .v')!.textContent = lead === undefined ? '–' : `${fixed(lead)} s`;
  el.querySelector('[data-kpi="downtime"] .v')!.textContent = kpis.detected ? `${kpis.downtimeAvoidedH} h` : '–';
}

/** The gateways' byte counters, from their shadows (status messages every few seconds). */
async function pollGateways(): Promise<void> {
  const entries = (await (await fetch('/api/registry')).json()) as { id: string; kind: string }[];
  const counters = await Promise.all(
    entries
      .filter((e) => e.kind === 'gateway')
      .map(async (g) => ((await (await fetch(`/api/devices/${encodeURIComponent(g.id)}/shadow`)).json()) as { reported?: { counters?: { bytesIn?: number; bytesOut?: number } } }).reported?.counters ?? {}),
  );
  saving = edgeSaving(counters);
  renderKpis();
}

/** The link panel: each simulated link's state, with the storm slider and partition switch when controls exist. */
async function pollLinks(): Promise<void> {
  const el = document.querySelector<HTMLElement>('#links')!;
  if (!config.controls) return;
  el.hidden = false;
  const links = (await (await fetch('/api/control/links')).json()) as { name: string; partitioned: boolean; lossPct: number; latencyMs: number; dropped?: number; queued?: number }[];
  const list = el.querySelector<HTMLElement>('.link-list')!;
  list.replaceChildren(
    ...links.map((l) => {
      const row = document.createElement('div');
      row.className = 'link';
      row.dataset.link = l.name;
      row.dataset.state = l.partitioned ? 'partitioned' : 'up';
      row.textContent = `${l.name}: ${l.partitioned ? 'PARTITIONED' : 'up'} · loss ${l.lossPct}% · +${l.latencyMs} ms${l.queued !== undefined ? ` · queued ${l.queued}` : ''}${l.dropped !== undefined ? ` · dropped ${l.dropped}` : ''}`;
      return row;
    }),
  );
}

function setUpControls(): void {
  const links = document.querySelector<HTMLElement>('#links')!;
  const post = (path: string, body: unknown) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(() => pollLinks());
  const storm = links.querySelector<HTMLInputElement>('.storm')!;
  storm.onchange = () => void post('/api/control/link', { link: 'edge->cloud', lossPct: Number(storm.value), latencyMs: Number(storm.value) * 20 });
  links.querySelector<HTMLButtonElement>('.partition')!.onclick = () => void post('/api/control/link', { link: 'edge->cloud', partitioned: true });
  links.querySelector<HTMLButtonElement>('.heal')!.onclick = () => void post('/api/control/link', { link: 'edge->cloud', partitioned: false });
  const pace = document.querySelector<HTMLElement>('#pace')!;
  pace.hidden = false;
  for (const button of pace.querySelectorAll<HTMLButtonElement>('button')) {
    button.onclick = () => void post('/api/control/pace', button.dataset.scale ? { paused: false, timeScale: Number(button.dataset.scale) } : { paused: button.dataset.pause === 'true' });
  }
  setInterval(() => void pollLinks(), 1000);
  void pollLinks();
}

function resize(): void {
  scene.resize(window.innerWidth, window.innerHeight);
}

async function main(): Promise<void> {
  try {
    config = (await (await fetch('/api/config')).json()) as PageConfig;
    document.title = `${config.title} — live factory`;
    document.querySelector('#title strong')!.textContent = config.title;
  } catch {
    // The defaults still draw the floor; the event stream shows the machines once it connects.
  }
  health = new HealthBook(config.rules);
  panel = new MachinePanel(document.querySelector<HTMLElement>('#panel')!, config, health, {
    energyKWh: (device) => meters.get(device)?.kWh,
    onClose: () => focusOn(undefined),
    onFault: (device, atMs) => {
      kpis.onFault(device, atMs);
      renderKpis();
    },
  });
  for (const f of config.faults ?? []) kpis.onFault(f.device, f.atMs);
  if (config.site) {
    site = { site: config.site.site, machines: [...config.site.machines].sort((a, b) => MACHINE_KINDS.indexOf(a.kind) - MACHINE_KINDS.indexOf(b.kind)) };
    scene.setSite(site);
  }
  window.addEventListener('resize', () => {
    resize();
    scene.fitAll();
  });
  resize();
  scene.fitAll();
  let hoverAt: { x: number; y: number } | undefined;
  canvas.addEventListener('pointermove', (e) => (hoverAt = { x: e.offsetX, y: e.offsetY }));
  let down: { x: number; y: number } | undefined;
  canvas.addEventListener('pointerdown', (e) => (down = { x: e.offsetX, y: e.offsetY }));
  canvas.addEventListener('pointerup', (e) => {
    // A drag orbits the camera; only a click without movement picks.
    if (!down || Math.hypot(e.offsetX - down.x, e.offsetY - down.y) > 4) return;
    const device = scene.pick(e.offsetX, e.offsetY);
    if (device) focusOn(device);
  });
  document.querySelector<HTMLButtonElement>('#fit')!.onclick = () => scene.fitAll();
  if (config.controls) setUpControls();
  if (config.replay) await startReplay();
  else {
    connect();
    setInterval(() => void pollGateways().catch(() => undefined), 5000);
    void pollGateways().catch(() => undefined);
  }
  const loop = (t: number) => {
    if (hoverAt) {
      scene.hover(scene.pick(hoverAt.x, hoverAt.y));
      hoverAt = undefined;
    }
    scene.render(t / 1000);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}

// For tests and the web bench: where machines are, what is under a point, how long frames take.
Object.assign(window, {
  twinbed: {
    scene,
    pick: (x: number, y: number) => scene.pick(x, y),
    sample: (points: { x: number; y: number }[]) => scene.sample(points),
    screenPosition: (device: string) => scene.screenPosition(device),
    machines: () => site.machines.map((m) => m.device),
    health: (device: string) => health.state(device).level,
    open: (device: string) => focusOn(device),
    received,
  },
});

void main();
