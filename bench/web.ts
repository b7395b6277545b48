// Web bench: the live page in headless Chromium (SwiftShader) with factory-20.yaml's hall replicated to 200 machines.
// First the hall streams at its own pace (each sensor's windows at its twin's rate) and the page's frames are timed;
// then the server is offered 12,000 readings/s through the cloud's ingest path and what it took and what the open
// panel got are counted.
// Targets: ≥ 30 fps at 1280×720; the server ingests ≥ 10,000 readings/s while a browser's panel gets ≤ 25 updates/s.
import { join } from 'node:path';
import { Cloud, SqliteStorage } from '../cloud';
import { siteOf } from '../cli/demo-site';
import { encodeMessage, topics, type FeaturesV2 } from '../protocol';
import { loadScenario } from '../scenarios';
import { startBroker, VirtualClock } from '../sim';
import { packageRoot, startWebServer, type SiteLayout } from '../web';
import { launchChromium } from '../test/support/chromium';
import { machineLine, percentile } from './machine';

export interface WebBenchResult {
  /** Frames a second with the hall streaming at its own pace and a panel open. */
  fps: number;
  frameP95Ms: number;
  machines: number;
  /** Readings a second the server took while offered OFFERED_PER_S, the browser connected with a panel open. */
  serverMsgPerSec: number;
  /** Updates a second the open panel got meanwhile. */
  clientUpdatesPerSec: number;
  /** The hall's own pace: each sensor's windows at the rate its twin makes them. */
  hallReadingsPerSec: number;
  /** Frames a second while the server took OFFERED_PER_S, for the record: both share this machine's cores. */
  fpsAtServerLoad: number;
  /** The page's dynamic resolution when measured: the fraction of 1280×720 it drew at. */
  resolutionScale: number;
  offeredPerSec: number;
  seconds: number;
}

const COPIES = 10;
const OFFERED_PER_S = 12_000;
const START_MS = Date.parse('2026-01-01T00:00:00Z');

/** factory-20's hall ten times over, as ten halls side by side in one site. */
async function bigHall(): Promise<SiteLayout> {
  const hall = siteOf(await loadScenario(join(packageRoot(), 'scenarios', 'library', 'factory-20.yaml')));
  return { site: hall.site, machines: Array.from({ length: COPIES }, (_, k) => hall.machines.map((m) => ({ ...m, device: k === 0 ? m.device : `${m.device}-${k}` }))).flat() };
}

/** Windows a second a sensor's twin makes with factory-20's defaults: 1 s windows of fast signals, one per block of slow ones. */
function windowsPerS(sensor: string): number {
  if (sensor === 'ambient-temp' || sensor === 'humidity') return 1 / 60;
  if (sensor.endsWith('-temp') || sensor === 'power') return 0.1;
  return 1;
}

interface Stream {
  device: string;
  sensor: string;
  unit: string;
  seq: number;
  perS: number;
}

function window(site: SiteLayout, s: Stream): { topic: string; payload: Uint8Array } {
  const seq = s.seq++;
  const rms = 0.02 + (seq % 13) * 0.002;
  const message: FeaturesV2 = {
    type: 'features',
    v: 2,
    device: s.device,
    sensor: s.sensor,
    seq,
    tsMs: START_MS + seq * 1000,
    windowMs: 1000,
    unit: s.unit,
    features: s.unit === 'g' ? { rms, peak: rms * 3, crest: 3, kurtosis: 3 } : { mean: 60 + (seq % 7) * 0.1, rms: 60, peak: 61, crest: 1 },
  };
  return { topic: topics.features(site.site, s.device, s.sensor), payload: encodeMessage(message) };
}

/**
 * Feeds the cloud until stopped, paced in 10 ms slices: at `totalPerS` readings a second round robin over the
 * streams, or (undefined) each stream at its own pace.
 */
function feed(cloud: Cloud, site: SiteLayout, streams: Stream[], totalPerS: number | undefined): () => Promise<void> {
  let feeding = true;
  const done = (async () => {
    const started = performance.now();
    const sent = streams.map(() => 0);
    let total = 0;
    let next = 0;
    while (feeding) {
      const elapsedS = (performance.now() - started) / 1000;
      if (totalPerS === undefined) {
        streams.forEach((s, i) => {
          for (; sent[i]! < Math.floor(elapsedS * s.perS); sent[i]!++) {
            const m = window(site, s);
            cloud.accept(m.topic, m.payload);
          }
        });
      } else {
        for (; total < Math.floor(elapsedS * totalPerS); total++) {
          const m = window(site, streams[next++ % streams.length]!);
          cloud.accept(m.topic, m.payload);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return async () => {
    feeding = false;
    await done;
  };
}

/** Frame intervals and focus updates in the page over `ms` of its time. A string: tsx would wrap a function's inner names in a helper the page lacks. */
async function measurePage(page: import('playwright-core').Page, ms: number): Promise<{ fps: number; p95: number; focusPerS: number }> {
  const r = (await page.evaluate(`new Promise((resolve) => {
    const received = window.twinbed.received;
    const focus0 = received.focus;
    const intervals = [];
    const started = performance.now();
    let last = started;
    const frame = (t) => {
      intervals.push(t - last);
      last = t;
      if (t - started < ${ms}) requestAnimationFrame(frame);
      else resolve({ intervals, focus: received.focus - focus0, ms: performance.now() - started });
    };
    requestAnimationFrame(frame);
  })`)) as { intervals: number[]; focus: number; ms: number };
  const sorted = [...r.intervals].sort((a, b) => a - b);
  return {
    fps: round(r.intervals.length / (r.ms / 1000)),
    p95: round(sorted.length > 0 ? percentile(sorted, 95) : 0),
    focusPerS: round(r.focus / (r.ms / 1000)),
  };
}

export async function webBench(seconds = 10): Promise<WebBenchResult> {
  const site = await bigHall();
  const streams: Stream[] = site.machines.flatMap((m) => m.sensors.map((sensor) => ({ device: m.device, sensor, unit: sensor.includes('temp') ? 'degC' : sensor === 'power' ? 'kW' : 'g', seq: 0, perS: windowsPerS(sensor) })));
  const broker = await startBroker();
  const storage = new SqliteStorage();
  const cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new VirtualClock(START_MS) });
  const web = await startWebServer({ cloud, site, rules: [{ metric: 'rms', sensor: 'accel', above: 0.2, severity: 'warning' }], port: 0, title: 'web bench' });
  let stop = feed(cloud, site, streams, undefined);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(web.url);
    await page.waitForFunction(() => document.querySelector('#scene')?.getAttribute('data-drawn-machines') === '200', null, { timeout: 60_000 });
    await page.evaluate(`window.twinbed.open('pump-1')`);
    await page.waitForFunction(() => Number(document.querySelector('#panel .uplot')?.getAttribute('data-points') ?? 0) > 1, null, { timeout: 60_000 });

    // The hall at its own pace: what a viewer of 200 machines sees, once the dynamic resolution has settled.
    await measurePage(page, 3000);
    const hallFrom = { readings: web.liveStats.readingsIn, at: performance.now() };
    const hall = await measurePage(page, seconds * 1000);
    const hallPerS = (web.liveStats.readingsIn - hallFrom.readings) / ((performance.now() - hallFrom.at) / 1000);
    const resolutionScale = Number((await page.locator('#scene').getAttribute('data-resolution')) ?? 1);
    await stop();

    // The server under OFFERED_PER_S, the browser still connected with its panel open.
    stop = feed(cloud, site, streams, OFFERED_PER_S);
    const before = { readings: web.liveStats.readingsIn, at: performance.now() };
    const stressed = await measurePage(page, seconds * 1000);
    const serverS = (performance.now() - before.at) / 1000;
    return {
      fps: hall.fps,
      frameP95Ms: hall.p95,
      machines: site.machines.length,
      serverMsgPerSec: Math.round((web.liveStats.readingsIn - before.readings) / serverS),
      clientUpdatesPerSec: stressed.focusPerS,
      hallReadingsPerSec: Math.round(hallPerS),
      fpsAtServerLoad: stressed.fps,
      resolutionScale,
      offeredPerSec: OFFERED_PER_S,
      seconds,
    };
  } finally {
    await stop();
    await browser.close();
    await web.close();
    await cloud.stop();
    await storage.close();
    await broker.close();
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export function formatWeb(r: WebBenchResult): string {
  return [
    `web — ${r.machines} machines (factory-20 ×${COPIES}) in headless Chromium (SwiftShader) at 1280×720, ${r.seconds} s (${machineLine()})`,
    `  page      ${r.fps} fps, frame p95 ${r.frameP95Ms} ms, the hall streaming at its own ${r.hallReadingsPerSec.toLocaleString('en')} readings/s with a panel open, drawn at ${r.resolutionScale}× resolution (target ≥ 30 fps)`,
    `  server    ingests ${r.serverMsgPerSec.toLocaleString('en')} readings/s of ${r.offeredPerSec.toLocaleString('en')} offered (target ≥ 10,000), the page meanwhile at ${r.fpsAtServerLoad} fps on the same 2 cores`,
    `  panel     ${r.clientUpdatesPerSec} updates/s to the open panel at that load (target ≤ 25)`,
  ].join('\n');
}
