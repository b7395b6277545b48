import { FactoryScene } from './factory-scene';
import type { LiveAlert, LiveReading, LiveSnapshot, PageConfig } from './live-reading';

const canvas = document.querySelector<HTMLCanvasElement>('#scene')!;
const hud = document.querySelector<HTMLElement>('#hud')!;
const status = document.querySelector<HTMLElement>('#status')!;
const scene = new FactoryScene(canvas);
const activeAlerts = new Map<string, LiveAlert>();
let config: PageConfig = { title: 'twinbed', rules: [] };

/** The RMS rule watching this device, if any: it names the sensor the machine's colour follows and its threshold. */
function rmsRuleFor(device: string): PageConfig['rules'][number] | undefined {
  return config.rules.find((r) => r.metric === 'rms' && (!r.device || r.device === device));
}

/** The vibration sensor a device's card and colour show: the RMS rule's sensor, else `accel`. */
function watchedSensor(device: string): string {
  return rmsRuleFor(device)?.sensor ?? 'accel';
}

function card(device: string): HTMLElement {
  let el = hud.querySelector<HTMLElement>(`.card[data-device="${CSS.escape(device)}"]`);
  if (el) return el;
  el = document.createElement('div');
  el.className = 'card';
  el.dataset.device = device;
  el.innerHTML = '<div class="name"></div><div class="rms">–</div><div class="seq"></div><div class="others"></div><div class="alert"></div>';
  el.querySelector('.name')!.textContent = device;
  const cards = [...hud.querySelectorAll<HTMLElement>('.card')];
  const next = cards.find((c) => (c.dataset.device ?? '') > device);
  hud.insertBefore(el, next ?? null);
  scene.ensureMachine(device);
  return el;
}

function showReading(r: LiveReading): void {
  const el = card(r.device);
  if (r.sensor !== watchedSensor(r.device)) {
    // Slow sensors (temperatures, humidity) get a line of their own; a block's RMS of a slow signal is its level.
    const others = el.querySelector<HTMLElement>('.others')!;
    let line = others.querySelector<HTMLElement>(`[data-sensor="${CSS.escape(r.sensor)}"]`);
    if (!line) {
      line = document.createElement('div');
      line.dataset.sensor = r.sensor;
      others.append(line);
    }
    line.textContent = `${r.sensor} ${r.rms.toFixed(1)} ${r.unit === 'degC' ? '°C' : r.unit}`;
    return;
  }
  el.querySelector('.rms')!.textContent = `${r.rms.toFixed(4)} ${r.unit} RMS`;
  el.querySelector('.seq')!.textContent = `${r.sensor} · block ${r.seq} · ${new Date(r.tsMs).toISOString().slice(11, 23)}`;
  el.dataset.seq = String(r.seq);
  scene.setLevel(r.device, r.rms, rmsRuleFor(r.device)?.above ?? 1);
}

function showAlert(a: LiveAlert): void {
  const key = `${a.device}/${a.rule}`;
  if (a.state === 'raised') activeAlerts.set(key, a);
  else activeAlerts.delete(key);
  const raised = [...activeAlerts.values()].filter((x) => x.device === a.device);
  const el = card(a.device);
  el.dataset.alert = raised.length ? 'raised' : 'clear';
  el.querySelector('.alert')!.textContent = raised.map((x) => `⚠ ${x.message}`).join('\n');
  scene.setAlert(a.device, raised.length > 0);
}

function connect(): void {
  const events = new EventSource('/api/stream');
  events.addEventListener('open', () => {
    status.textContent = 'live';
    status.dataset.state = 'live';
  });
  events.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.dataset.state = 'offline';
  });
  events.addEventListener('snapshot', (e) => {
    const snapshot = JSON.parse((e as MessageEvent<string>).data) as LiveSnapshot;
    snapshot.readings.forEach(showReading);
    snapshot.alerts.forEach(showAlert);
  });
  events.addEventListener('reading', (e) => showReading(JSON.parse((e as MessageEvent<string>).data) as LiveReading));
  events.addEventListener('alert', (e) => showAlert(JSON.parse((e as MessageEvent<string>).data) as LiveAlert));
}

function resize(): void {
  scene.resize(window.innerWidth, window.innerHeight);
}

async function main(): Promise<void> {
  try {
    config = (await (await fetch('/api/config')).json()) as PageConfig;
    document.title = `${config.title} — live factory`;
  } catch {
    // The defaults still draw the floor; the event stream shows the machines once it connects.
  }
  window.addEventListener('resize', resize);
  resize();
  connect();
  const loop = (t: number) => {
    scene.render(t / 1000);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}

void main();
