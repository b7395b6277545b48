import type { Request, Response } from 'express';
import type { AlertRecord, Cloud, FeatureRecord } from '../cloud';
import type { WindowScore } from '../protocol';
import { toLiveReading, type LiveAlert, type LiveReading, type LiveSnapshot } from './client/live-reading';
import { hallState } from './hall-state';

export interface LiveStreamOptions {
  /** Hall updates a second: the latest reading of every device sensor, in one event. Default 4. */
  overviewHz?: number;
  /** Updates a second for the device a panel is open on (`?focus=`), every reading of it in order. Default 25. */
  focusHz?: number;
  /** Most readings of the focused device held while a slow client catches up; older ones are dropped, counted. Default 2000. */
  maxFocusQueue?: number;
}

/** What the live streams have done, for the page's own status and the web bench. */
export interface LiveStreamStats {
  clients: number;
  /** Feature windows the server took from the cloud. */
  readingsIn: number;
  /** Events written to clients (one `readings` event is one update, however many readings it carries). */
  eventsOut: number;
  /** Flushes skipped because a client's socket was still full: backpressure, not loss (the latest is sent next). */
  skippedFlushes: number;
  /** Focus readings dropped because a client fell more than maxFocusQueue behind. */
  droppedFocus: number;
}

/**
 * The page's server-sent event stream, one per browser: a snapshot first, then at most `overviewHz` updates a
 * second with the latest reading of each device sensor, and for a focused device every reading at up to `focusHz`.
 * A reading costs the pipeline one map write, whatever the clients do; a client whose socket is full gets nothing
 * until it drains, then the latest, so a slow browser never slows ingest.
 */
export class LiveStreams {
  readonly #cloud: Cloud;
  readonly #options: Required<LiveStreamOptions>;
  readonly #clients = new Set<LiveClient>();
  readonly stats: LiveStreamStats = { clients: 0, readingsIn: 0, eventsOut: 0, skippedFlushes: 0, droppedFocus: 0 };

  constructor(cloud: Cloud, options: LiveStreamOptions = {}) {
    this.#cloud = cloud;
    this.#options = { overviewHz: options.overviewHz ?? 4, focusHz: options.focusHz ?? 25, maxFocusQueue: options.maxFocusQueue ?? 2000 };
    cloud.on('features', this.#onFeatures);
    cloud.on('alert', this.#onAlert);
  }

  close(): void {
    this.#cloud.off('features', this.#onFeatures);
    this.#cloud.off('alert', this.#onAlert);
    for (const client of this.#clients) client.close();
  }

  /** Serves one browser's stream until it disconnects. */
  serve(req: Request, res: Response): void {
    const focus = typeof req.query.focus === 'string' && req.query.focus !== '' ? req.query.focus : undefined;
    const client = new LiveClient(res, focus, this.#options, this.stats);
    this.#clients.add(client);
    this.stats.clients = this.#clients.size;
    req.on('close', () => {
      client.close();
      this.#clients.delete(client);
      this.stats.clients = this.#clients.size;
    });
    void hallState(this.#cloud.storage).then(
      (data) => client.start(data),
      () => client.start({ readings: [], alerts: [] }),
    );
  }

  readonly #onFeatures = (record: FeatureRecord, model: WindowScore | undefined): void => {
    this.stats.readingsIn++;
    if (this.#clients.size === 0) return;
    const reading = toLiveReading(record, model);
    for (const client of this.#clients) client.reading(reading);
  };

  readonly #onAlert = (alert: AlertRecord): void => {
    for (const client of this.#clients) client.alert(alert);
  };
}

class LiveClient {
  readonly #res: Response;
  readonly #focus: string | undefined;
  readonly #options: Required<LiveStreamOptions>;
  readonly #stats: LiveStreamStats;
  /** Latest reading per device sensor since the last overview flush. */
  #latest = new Map<string, LiveReading>();
  #focusQueue: LiveReading[] = [];
  /** Alerts wait for the snapshot: the page must see what was raised before what changed since. */
  #alerts: LiveAlert[] = [];
  #started = false;
  #full = false;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(res: Response, focus: string | undefined, options: Required<LiveStreamOptions>, stats: LiveStreamStats) {
    this.#res = res;
    this.#focus = focus;
    this.#options = options;
    this.#stats = stats;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    res.on('drain', () => (this.#full = false));
  }

  start(data: LiveSnapshot): void {
    if (this.#res.destroyed) return;
    this.#send('snapshot', data);
    this.#started = true;
    for (const alert of this.#alerts) this.#send('alert', alert);
    this.#alerts = [];
    this.#timers.push(setInterval(() => this.#flushOverview(), 1000 / this.#options.overviewHz));
    if (this.#focus) this.#timers.push(setInterval(() => this.#flushFocus(), 1000 / this.#options.focusHz));
  }

  reading(r: LiveReading): void {
    this.#latest.set(`${r.device}\u0000${r.sensor}`, r);
    if (r.device !== this.#focus) return;
    this.#focusQueue.push(r);
    if (this.#focusQueue.length > this.#options.maxFocusQueue) {
      this.#stats.droppedFocus += this.#focusQueue.length - this.#options.maxFocusQueue;
      this.#focusQueue = this.#focusQueue.slice(-this.#options.maxFocusQueue);
    }
  }

  alert(a: LiveAlert): void {
    if (this.#started) this.#send('alert', a);
    else this.#alerts.push(a);
  }

  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }

  #flushOverview(): void {
    if (this.#latest.size === 0) return;
    if (this.#full) return void this.#stats.skippedFlushes++;
    const readings = [...this.#latest.values()];
    this.#latest = new Map();
    this.#send('readings', readings);
  }

  #flushFocus(): void {
    if (this.#focusQueue.length === 0) return;
    if (this.#full) return void this.#stats.skippedFlushes++;
    const readings = this.#focusQueue;
    this.#focusQueue = [];
    this.#send('focus', readings);
  }

  #send(event: string, data: unknown): void {
    this.#stats.eventsOut++;
    if (!this.#res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)) this.#full = true;
  }
}

