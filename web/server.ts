import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import { listen } from '../sim';
import { cloudApi, type Cloud, type ThresholdRule } from '../cloud';
import { packageRoot } from './assets';
import type { PageConfig } from './client/live-reading';
import type { SiteLayout } from './client/site';
import { controlRoutes, type DemoControls } from './demo-controls';
import { LiveStreams, type LiveStreamOptions, type LiveStreamStats } from './live-stream';
import { replayRoutes } from './replay-routes';
import { spectrumRoutes } from './spectrum-routes';

export interface WebServerOptions {
  cloud: Cloud;
  /** Alert rules, so the page can scale its colours to the thresholds. */
  rules?: readonly ThresholdRule[];
  /** The hall to draw (from the scenario); without it machines appear as their readings arrive. */
  site?: SiteLayout;
  /** Demo controls on the running stack; without them the page shows no control buttons. */
  controls?: DemoControls;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Page title. Default `twinbed`. */
  title?: string;
  live?: LiveStreamOptions;
  /** Serve a finished run's store for replay: the page scrubs a timeline instead of following a live stream. */
  replay?: boolean;
  /** The scenario's faults: marked on the replay timeline, and counted for the detection KPIs. */
  faults?: PageConfig['faults'];
}

export interface WebServer {
  readonly url: string;
  readonly port: number;
  readonly liveStats: LiveStreamStats;
  close(): Promise<void>;
}

/** Serves the Three.js page, the cloud REST API, the demo controls and a server-sent event stream of live readings and alerts. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { cloud, host = '127.0.0.1', port = 8080, title = 'twinbed' } = options;
  const root = packageRoot();
  const bundle = join(root, 'dist', 'web', 'app.js');
  if (!existsSync(bundle)) throw new Error(`the web bundle ${bundle} is missing; run \`npm run build\` first`);

  const live = new LiveStreams(cloud, options.live);
  const app = express();
  app.disable('x-powered-by');
  app.use(cloudApi(cloud, { registry: cloud.registry, clock: cloud.clock }));
  app.get('/api/config', (_req, res) => {
    res.json({ title, rules: options.rules ?? [], ...(options.site ? { site: options.site } : {}), controls: options.controls !== undefined, replay: options.replay === true, ...(options.faults ? { faults: options.faults } : {}) } satisfies PageConfig);
  });
  app.get('/api/stream', (req, res) => live.serve(req, res));
  app.get('/api/live/stats', (_req, res) => void res.json(live.stats));
  if (options.controls) app.use(controlRoutes(options.controls));
  if (options.replay) app.use(replayRoutes(cloud.storage));
  // Raw data is asked of a gateway only on a live stack: a replay has no gateway to answer.
  app.use(spectrumRoutes(cloud, { site: options.site, requestRaw: options.controls !== undefined && options.replay !== true }));
  app.get('/app.js', (_req, res) => res.sendFile(bundle));
  app.get('/app.js.map', (_req, res) => res.sendFile(`${bundle}.map`));
  app.get('/app.css', (_req, res) => res.sendFile(join(root, 'dist', 'web', 'app.css')));
  app.use(express.static(join(root, 'web', 'public')));

  const server = createServer(app);
  const where = await listen(server, port, host);
  return {
    url: `http://${where.urlHost}:${where.port}/`,
    port: where.port,
    liveStats: live.stats,
    close: () =>
      new Promise<void>((resolve) => {
        live.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
