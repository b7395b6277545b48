import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import { listen } from '../sim';
import { cloudApi, type AlertRecord, type Cloud, type FeatureRecord, type ThresholdRule } from '../cloud';
import { packageRoot } from './assets';
import { toLiveReading, type LiveReading, type LiveSnapshot, type PageConfig } from './client/live-reading';

export interface WebServerOptions {
  cloud: Cloud;
  /** Alert rules, so the page can scale its colours to the thresholds. */
  rules?: readonly ThresholdRule[];
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Page title. Default `twinbed`. */
  title?: string;
  /** Most live updates per device per second on the event stream. Default 5. */
  maxUpdatesPerDeviceS?: number;
}

export interface WebServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the Three.js page, the cloud REST API and a server-sent event stream of live readings and alerts. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { cloud, host = '127.0.0.1', port = 8080, title = 'twinbed', maxUpdatesPerDeviceS = 5 } = options;
  const root = packageRoot();
  const bundle = join(root, 'dist', 'web', 'app.js');
  if (!existsSync(bundle)) throw new Error(`the web bundle ${bundle} is missing; run \`npm run build\` first`);

  const app = express();
  app.disable('x-powered-by');
  app.use(cloudApi(cloud, { registry: cloud.registry, clock: cloud.clock }));
  app.get('/api/config', (_req, res) => {
    res.json({ title, rules: options.rules ?? [] } satisfies PageConfig);
  });
  app.get('/api/stream', (req, res) => streamEvents(cloud, req, res, maxUpdatesPerDeviceS));
  app.get('/app.js', (_req, res) => res.sendFile(bundle));
  app.get('/app.js.map', (_req, res) => res.sendFile(`${bundle}.map`));
  app.use(express.static(join(root, 'web', 'public')));

  const server = createServer(app);
  const where = await listen(server, port, host);
  return {
    url: `http://${where.urlHost}:${where.port}/`,
    port: where.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function streamEvents(cloud: Cloud, req: express.Request, res: express.Response, maxUpdatesPerDeviceS: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  // Latest reading per device sensor, flushed at most maxUpdatesPerDeviceS times a second: the page needs the
  // current state, not every 40 ms block.
  const pending = new Map<string, LiveReading>();
  const onFeatures = (r: FeatureRecord) => {
    pending.set(`${r.device}/${r.sensor}`, toLiveReading(r));
  };
  const onAlert = (alert: AlertRecord) => send('alert', alert);
  const timer = setInterval(() => {
    for (const reading of pending.values()) send('reading', reading);
    pending.clear();
  }, 1000 / maxUpdatesPerDeviceS);
  cloud.on('features', onFeatures);
  cloud.on('alert', onAlert);
  void snapshot(cloud).then((data) => send('snapshot', data));
  req.on('close', () => {
    clearInterval(timer);
    cloud.off('features', onFeatures);
    cloud.off('alert', onAlert);
  });
}

async function snapshot(cloud: Cloud): Promise<LiveSnapshot> {
  const readings: LiveReading[] = [];
  for (const device of await cloud.storage.devices()) {
    for (const record of await cloud.storage.latest(device.device)) readings.push(toLiveReading(record));
  }
  return { readings, alerts: await cloud.storage.alerts() };
}
