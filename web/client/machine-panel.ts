import { fixed, headline, unitLabel } from './headline';
import type { HealthBook } from './health';
import { LiveChart } from './live-chart';
import type { LiveReading, PageConfig } from './live-reading';
import type { SiteMachine } from './site';
import { SpectrumView } from './spectrum-view';

/** Fault types the demo offers per machine kind (what the twins take as a `fault` step). */
export const FAULTS_BY_KIND: Readonly<Record<string, readonly string[]>> = {
  pump: ['bearing', 'imbalance', 'misalignment', 'looseness', 'lubrication', 'overheating'],
  fan: ['bearing', 'imbalance', 'misalignment', 'looseness', 'lubrication', 'overheating'],
  conveyor: ['belt-slip'],
  'robot-arm': ['collision'],
};

const COLOURS = ['#4da3ff', '#f2b134', '#7bd389', '#e07be0'];

interface ChartBinding {
  chart: LiveChart;
  sensor: string;
  /** Which numbers of a reading it plots. */
  pick(r: LiveReading): (number | null)[];
}

interface StoredWindow {
  tsMs: number;
  features: Record<string, number>;
}

/**
 * The side panel of one machine: its sensors' headline values, live charts (vibration features against their
 * thresholds, slow signals, the anomaly score), its alerts with acknowledgement, and the demo's fault controls.
 * Opens with the stored history and then appends each reading of the focused stream.
 */
export class MachinePanel {
  readonly #root: HTMLElement;
  readonly #config: PageConfig;
  readonly #health: HealthBook;
  #machine: SiteMachine | undefined;
  #charts: ChartBinding[] = [];
  #scoreChart: LiveChart | undefined;
  #spectra: SpectrumView | undefined;
  readonly #onClose: () => void;
  readonly #onFault: (device: string, atMs: number) => void;
  readonly #energyKWh: (device: string) => number | undefined;

  constructor(
    root: HTMLElement,
    config: PageConfig,
    health: HealthBook,
    hooks: { onClose(): void; onFault(device: string, atMs: number): void; energyKWh(device: string): number | undefined },
  ) {
    this.#energyKWh = hooks.energyKWh;
    this.#root = root;
    this.#config = config;
    this.#health = health;
    this.#onClose = hooks.onClose;
    this.#onFault = hooks.onFault;
  }

  get device(): string | undefined {
    return this.#machine?.device;
  }

  /** Opens on a machine; in a replay `toMs` ends its history at the instant shown. */
  async open(machine: SiteMachine, latest: readonly LiveReading[], toMs?: number): Promise<void> {
    this.close(false);
    this.#machine = machine;
    const root = this.#root;
    root.hidden = false;
    root.dataset.device = machine.device;
    root.innerHTML = `
      <header><h2></h2><span class="kind"></span><span class="health"></span><button class="close" title="Close">×</button></header>
      <section class="values"></section>
      <section class="charts"></section>
      <section class="spectra" hidden></section>
      <section class="faults" hidden><h3>Inject a fault</h3><div class="row"><select class="fault-type"></select>
        <label>severity <input class="fault-severity" type="range" min="0.1" max="1" step="0.1" value="0.8"></label>
        <button class="inject">Inject</button></div><div class="outcome"></div></section>
      <section class="operate" hidden><h3>Speed</h3><div class="row"><select class="speed">
        <option value="1">100 %</option><option value="0.8">80 %</option><option value="0.6">60 %</option><option value="0">stop</option></select>
        <button class="apply">Apply</button></div><div class="operated"></div></section>
      <section class="alerts"><h3>Alerts</h3><ol class="alert-list"></ol></section>`;
    root.querySelector('h2')!.textContent = machine.device;
    root.querySelector('.kind')!.textContent = machine.kind;
    root.querySelector<HTMLButtonElement>('.close')!.onclick = () => this.close();
    for (const r of latest) this.#showValue(r);
    this.#refreshHealth();
    this.#setUpFaults(machine);
    await Promise.all([this.#setUpCharts(machine, latest, toMs), this.refreshAlerts()]);
  }

  close(notify = true): void {
    for (const binding of this.#charts) binding.chart.destroy();
    this.#scoreChart?.destroy();
    this.#charts = [];
    this.#scoreChart = undefined;
    this.#spectra?.stop();
    this.#spectra = undefined;
    this.#machine = undefined;
    this.#root.hidden = true;
    this.#root.innerHTML = '';
    delete this.#root.dataset.device;
    if (notify) this.#onClose();
  }

  /** A reading of the open machine, every one in order: values and charts follow it. */
  onReading(r: LiveReading): void {
    if (r.device !== this.#machine?.device) return;
    this.#showValue(r);
    for (const binding of this.#charts) if (binding.sensor === r.sensor) binding.chart.append(r.tsMs, binding.pick(r));
    if (r.score) {
      this.#scoreChart ??= this.#chart('anomaly score', [{ label: 'score', colour: COLOURS[3]! }], [r.score.threshold]);
      this.#scoreChart.append(r.tsMs, [r.score.value]);
    }
    this.#refreshHealth();
  }

  async refreshAlerts(): Promise<void> {
    const device = this.#machine?.device;
    if (!device) return;
    const list = this.#root.querySelector<HTMLOListElement>('.alert-list');
    const page = await fetchJson<{ items: { id: string; rule: string; state: string; message: string; raisedMs: number }[] }>(`/api/alert-entries?device=${encodeURIComponent(device)}&limit=20`);
    if (!list || this.#machine?.device !== device) return;
    list.replaceChildren(
      ...(page?.items ?? []).map((a) => {
        const li = document.createElement('li');
        li.dataset.state = a.state;
        li.textContent = `${new Date(a.raisedMs).toISOString().slice(11, 19)} ${a.state} · ${a.message}`;
        if (a.state === 'raised') {
          const ack = document.createElement('button');
          ack.textContent = 'Acknowledge';
          ack.onclick = async () => {
            await fetch(`/api/alert-entries/${encodeURIComponent(a.id)}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'demo' }) });
            await this.refreshAlerts();
          };
          li.append(' ', ack);
        }
        return li;
      }),
    );
    if (list.children.length === 0) list.innerHTML = '<li class="none">none</li>';
  }

  #refreshHealth(): void {
    const device = this.#machine?.device;
    const el = this.#root.querySelector<HTMLElement>('.health');
    if (!device || !el) return;
    const state = this.#health.state(device);
    el.textContent = state.level;
    el.dataset.level = state.level;
  }

  #showValue(r: LiveReading): void {
    const values = this.#root.querySelector('.values');
    if (!values) return;
    let line = values.querySelector<HTMLElement>(`[data-sensor="${CSS.escape(r.sensor)}"]`);
    if (!line) {
      line = document.createElement('div');
      line.dataset.sensor = r.sensor;
      line.innerHTML = '<span class="sensor"></span> <span class="value"></span>';
      line.querySelector('.sensor')!.textContent = r.sensor;
      values.append(line);
    }
    const kWh = r.sensor === 'power' ? this.#energyKWh(r.device) : undefined;
    line.querySelector('.value')!.textContent = `${headline(r).text}${kWh ? ` · ${fixed(kWh)} kWh` : ''}`;
  }

  #chart(title: string, series: { label: string; colour: string }[], thresholds: number[]): LiveChart {
    const holder = document.createElement('div');
    holder.className = 'chart';
    this.#root.querySelector('.charts')!.append(holder);
    return new LiveChart(holder, { title, series, thresholds, width: 380, height: 150 });
  }

  /** A chart for the vibration sensor (rms and peak, with the rules' thresholds) and one per slow sensor (mean). */
  async #setUpCharts(machine: SiteMachine, latest: readonly LiveReading[], toMs: number | undefined): Promise<void> {
    const units = new Map(latest.map((r) => [r.sensor, r.unit]));
    const sensors = machine.sensors.length ? machine.sensors : [...units.keys()];
    const vibration = sensors.filter((s) => (units.get(s) ?? (s === 'accel' ? 'g' : '')) === 'g').slice(0, 1);
    const slow = sensors.filter((s) => !vibration.includes(s) && units.get(s) !== 'g').slice(0, 3);
    for (const sensor of vibration) {
      const thresholds = this.#config.rules.filter((r) => r.metric === 'rms' && (!r.device || r.device === machine.device) && (!r.sensor || r.sensor === sensor)).map((r) => r.above);
      const chart = this.#chart(`${sensor} (g)`, [{ label: 'rms', colour: COLOURS[0]! }, { label: 'peak', colour: COLOURS[1]! }], thresholds);
      this.#charts.push({ chart, sensor, pick: (r) => [r.features.rms ?? null, r.features.peak ?? null] });
      this.#spectra = new SpectrumView(this.#root.querySelector<HTMLElement>('.spectra')!, { device: machine.device, sensor, orders: machine.bearingOrders, atMs: toMs });
    }
    for (const [i, sensor] of slow.entries()) {
      const chart = this.#chart(`${sensor}${units.get(sensor) ? ` (${unitLabel(units.get(sensor)!)})` : ''}`, [{ label: 'mean', colour: COLOURS[(i + 2) % COLOURS.length]! }], []);
      this.#charts.push({ chart, sensor, pick: (r) => [r.features.mean ?? r.features.rms ?? null] });
    }
    // History first, so the chart opens with the last minutes rather than empty.
    const device = machine.device;
    await Promise.all(
      this.#charts.map(async (binding) => {
        const rows = await fetchJson<StoredWindow[]>(`/api/series?device=${encodeURIComponent(device)}&sensor=${encodeURIComponent(binding.sensor)}&limit=300${toMs === undefined ? '' : `&to=${toMs}`}`);
        if (this.#machine?.device !== device) return;
        for (const row of (rows ?? []).sort((a, b) => a.tsMs - b.tsMs)) binding.chart.append(row.tsMs, binding.pick({ device, sensor: binding.sensor, seq: 0, tsMs: row.tsMs, windowMs: 0, unit: '', features: row.features }));
      }),
    );
  }

  #setUpFaults(machine: SiteMachine): void {
    const faults = FAULTS_BY_KIND[machine.kind];
    const section = this.#root.querySelector<HTMLElement>('.faults')!;
    if (!this.#config.controls || !faults) return;
    section.hidden = false;
    const select = section.querySelector<HTMLSelectElement>('.fault-type')!;
    for (const type of faults) select.append(new Option(type, type));
    const outcome = section.querySelector<HTMLElement>('.outcome')!;
    section.querySelector<HTMLButtonElement>('.inject')!.onclick = async () => {
      const severity = Number(section.querySelector<HTMLInputElement>('.fault-severity')!.value);
      const body = { device: machine.device, type: select.value, severity, ...(select.value === 'bearing' ? { component: 'outer' } : {}) };
      const res = await fetch('/api/control/fault', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await res.json()) as { outcome?: string; atMs?: number; error?: string };
      outcome.textContent = answer.error ?? answer.outcome ?? '';
      outcome.dataset.ok = String(res.ok);
      if (res.ok && answer.atMs !== undefined) this.#onFault(machine.device, answer.atMs);
    };
    // A drive's speed: what self-healing does to a hot bearing, by hand.
    if (machine.kind !== 'pump' && machine.kind !== 'fan') return;
    const operate = this.#root.querySelector<HTMLElement>('.operate')!;
    operate.hidden = false;
    const done = operate.querySelector<HTMLElement>('.operated')!;
    operate.querySelector<HTMLButtonElement>('.apply')!.onclick = async () => {
      const share = Number(operate.querySelector<HTMLSelectElement>('.speed')!.value);
      const res = await fetch('/api/control/operate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ device: machine.device, speedRpm: Math.round((machine.speedRpm ?? 0) * share) }) });
      const answer = (await res.json()) as { outcome?: string; error?: string };
      done.textContent = answer.error ?? answer.outcome ?? '';
    };
  }
}

async function fetchJson<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url);
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}
