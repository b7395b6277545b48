import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { AedesOptions } from 'aedes';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { decodeMessage, DecodeError, encodeMessage, filters, formatFieldPath, IdSchema, parseTopic, topics, type CommandV1, type DeadLetterV1, type ReplyV1, type StatusV1 } from '../protocol';
import {
  connectMqtt,
  createMqttClient,
  LatencyHistogram,
  monotonicWallMs,
  Scheduler,
  startBroker,
  type Cancel,
  type Clock,
  type EmbeddedBroker,
  type LinkChannel,
  type MqttClient,
} from '../sim';
import { startCoapIngest, type CoapIngestServer } from './coap-ingest';
import type { GatewayConfig } from './config';
import type { DeviceAuthenticator, IngestResult, IngestRoute } from './device-auth';
import { nodeGzip } from './dsp';
import { EdgeProcessor, type LocalCommand, type Processed } from './edge-processor';
import { EdgeWorkerClient, type EdgeWorkerClientOptions } from './edge-worker-client';
import { startHttpIngest, type HttpIngestServer } from './http-ingest';
import { GatewayMetrics, startMetricsServer, type MetricsServer } from './metrics';
import {
  AnomalyDetector,
  handleModelCommand,
  inspectOnnx,
  ModelKeyring,
  ModelSlot,
  MODEL_ACTIONS,
  readTrustedKeys,
  verifyModelFile,
} from './model';
import { connectInProcess, loadGatewaySecurity, type GatewaySecurity } from './security';
import { DurableStore, Forwarder, InboxAdmission, InboxPump, PRIORITY, type InboxInput, type InboxRow, type OutboxRow } from './store';
import { StreamByteCounts, type StreamBytes } from './stream-bytes';
import { linkUplink } from './uplink-link';

export interface GatewayOptions {
  config: GatewayConfig;
  clock: Clock;
  logger?: Logger;
  /** Checks device credentials on HTTP and CoAP. Default: the security registry, or none (an open site). */
  authenticate?: DeviceAuthenticator;
  /** The simulated uplink to the cloud broker (in-process runs); what the gateway sends crosses it first. */
  uplink?: LinkChannel;
  /** Device security built in memory (in-process runs); overrides `config.security`, which loads it from files. */
  security?: GatewaySecurity;
}

/** Monotonic counters; exposed in-process and in every status message. */
export interface GatewayCounters {
  /** Device payloads accepted (valid or not), over every protocol. */
  received: number;
  /** Payload bytes received from devices. */
  bytesIn: number;
  /** Messages the forwarder wrote upstream, resends included (a simulated uplink may carry one twice, or lose it). */
  uplinkWritten: number;
  /** Upstream writes acknowledged (QoS 1) or flushed (QoS 0). */
  uplinkAcked: number;
  /** Payload bytes acknowledged upstream (features, events, raw blocks and dead letters). */
  bytesOut: number;
  /** Of those, the bytes of raw blocks. */
  rawBytesOut: number;
  /** Feature windows queued upstream. */
  windows: number;
  /** Events raised locally (rule alerts and anomalies, raise and clear). */
  events: number;
  /** Commands sent to devices by local actions. */
  commands: number;
  /** Messages rejected to the dead-letter topic. */
  deadLettered: number;
  /** Upstream rows refused or failed. */
  uplinkErrors: number;
  /** Device publishes whose acknowledgement waited for room in the inbox (backpressure). */
  backpressured: number;
  /** Streams whose open windows went up partial because their device fell silent (`window.idleFlushS`). */
  idleFlushes: number;
  /** Edge worker threads started again after one died (`processing.thread: worker`). */
  edgeWorkerRestarts: number;
}

/** Every counter at zero: a gateway's at start. */
export function zeroGatewayCounters(): GatewayCounters {
  return { received: 0, bytesIn: 0, uplinkWritten: 0, uplinkAcked: 0, bytesOut: 0, rawBytesOut: 0, windows: 0, events: 0, commands: 0, deadLettered: 0, uplinkErrors: 0, backpressured: 0, idleFlushes: 0, edgeWorkerRestarts: 0 };
}

/** Two gateways' counters added up (one that crashed and the one that took over). */
export function addGatewayCounters(a: GatewayCounters, b: GatewayCounters): GatewayCounters {
  return Object.fromEntries(Object.entries(a).map(([key, value]) => [key, value + b[key as keyof GatewayCounters]])) as unknown as GatewayCounters;
}

/** Edge worker restarts allowed within a minute: a worker that dies more often than that is left dead. */
const MAX_WORKER_RESTARTS_PER_MINUTE = 5;

/** The gateway command that asks for raw data from the cloud. */
const RAW_REQUEST = 'raw.request';
const RawRequestArgsSchema = z
  .object({
    device: IdSchema,
    sensor: IdSchema.optional(),
    seconds: z.number().positive().max(3600).default(10),
  })
  .strict();

/** Until start() finishes there is no status to publish. */
const NO_STATUS: Cancel = () => {};

/**
 * The edge gateway. Devices publish to its device-side broker (embedded, or an existing one); each payload is put in
 * a durable inbox before the device gets its acknowledgement, processed by its sensor's pipeline (windows, features,
 * local rules, the anomaly model, local actions), and handed over with its results to a prioritised outbox in one
 * transaction; a forwarder sends the outbox upstream, events first. HTTP and CoAP feed the same processor.
 */
export class Gateway {
  readonly config: GatewayConfig;
  readonly #clock: Clock;
  readonly #log: Logger;
  #authenticate: DeviceAuthenticator | undefined;
  readonly #uplink: LinkChannel | undefined;
  #security: GatewaySecurity | undefined;
  readonly #counters: GatewayCounters = zeroGatewayCounters();
  readonly #metrics: GatewayMetrics;
  readonly #streamBytes = new StreamByteCounts();
  /** Wall time from the window that raised an event to the device's broker acknowledging the command, ms. */
  readonly #actionLatency = new LatencyHistogram();
  #broker: EmbeddedBroker | undefined;
  #edge: MqttClient | undefined;
  #upstream: MqttClient | undefined;
  #store: DurableStore | undefined;
  #pump: InboxPump | undefined;
  #admission: InboxAdmission | undefined;
  /** Device payloads taken in during this turn of the event loop, stored together (one transaction) at its end. */
  #accepting: { input: InboxInput; done: (error?: Error) => void }[] = [];
  /** Highest inbox id the backlog has counted as processed: a page read again after a failed commit is not counted twice. */
  #processedThroughId = 0;
  #forwarder: Forwarder | undefined;
  #processor: EdgeProcessor | undefined;
  /** With processing.thread worker: the processor in a thread of its own, instead of #processor. */
  #worker: EdgeWorkerClient | undefined;
  /** Set while a dead edge worker is being replaced; settles when the new one has the inbox. */
  #workerRestart: Promise<void> | undefined;
  /** Wall ms of the edge worker's recent deaths, for the restart budget. */
  #workerDeaths: number[] = [];
  #stopping = false;
  #slot: ModelSlot | undefined;
  #detector: AnomalyDetector | undefined;
  #metricsServer: MetricsServer | undefined;
  #http: HttpIngestServer | undefined;
  #coap: CoapIngestServer | undefined;
  #cancelStatus: Cancel = NO_STATUS;
  /** Gateway commands being carried out, in arrival order. */
  #commands: Promise<void> = Promise.resolve();
  #deviceUrl = '';

  private constructor(options: GatewayOptions) {
    this.config = options.config;
    this.#clock = options.clock;
    this.#log = options.logger ?? pino({ level: 'silent' });
    this.#authenticate = options.authenticate;
    this.#uplink = options.uplink;
    this.#security = options.security;
    this.#metrics = new GatewayMetrics({ defaultLabels: { site: this.config.site, gateway: this.config.id } });
    this.#metrics.trackInbox(() => ({ ...(this.#admission?.backlog() ?? { rows: 0, bytes: 0 }), backpressured: this.#admission?.deferred ?? 0 }));
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(options);
    try {
      await gateway.#start();
    } catch (error) {
      await gateway.stop();
      throw error;
    }
    return gateway;
  }

  /** URL devices connect to. */
  get deviceUrl(): string {
    return this.#deviceUrl;
  }

  /** URL of HTTP batch ingestion, when enabled. */
  get httpUrl(): string | undefined {
    return this.#http?.url;
  }

  /** URL of CoAP ingestion, when enabled. */
  get coapUrl(): string | undefined {
    return this.#coap?.url;
  }

  /** URL of the Prometheus metrics, when enabled. */
  get metricsUrl(): string | undefined {
    return this.#metricsServer?.url;
  }

  /** The thread device payloads are processed in: 0 for the gateway's own, else the edge worker's (`processing.thread`). */
  get processingThreadId(): number {
    return this.#worker?.threadId ?? threadId;
  }

  /** The active, staged and previous anomaly models, when anomaly detection is configured. */
  get models(): ModelSlot | undefined {
    return this.#slot;
  }

  counters(): GatewayCounters {
    return { ...this.#counters, backpressured: this.#admission?.deferred ?? 0 };
  }

  /** Device payloads accepted and not yet processed, the most there were at once, and publishes waiting for room. */
  inboxBacklog(): { rows: number; bytes: number; highWaterRows: number; waiting: number } {
    const admission = this.#admission;
    return { ...(admission?.backlog() ?? { rows: 0, bytes: 0 }), highWaterRows: admission?.highWaterRows ?? 0, waiting: admission?.waiting ?? 0 };
  }

  /** Work still in the gateway: payloads not yet processed, messages not yet sent or not yet acknowledged. */
  pending(): { inbox: number; outbox: number; inFlight: number } {
    const stats = this.#forwarder?.stats();
    return { inbox: this.#store?.isOpen ? this.#store.inboxDepth() : 0, outbox: stats ? sum(Object.values(stats.depth)) : 0, inFlight: stats?.inFlight ?? 0 };
  }

  /** Detection-to-command latency of local actions, wall ms (p50, p99, …). */
  actionLatency(): ReturnType<LatencyHistogram['summary']> {
    return this.#actionLatency.summary();
  }

  /**
   * Per (device, sensor): payload bytes received and feature-record bytes acknowledged upstream. With the default
   * pipelines (and any declaring `neverInflate`) bytesUp never exceeds bytesIn, but for the held windows a drain sends.
   */
  streamBytes(): StreamBytes[] {
    return this.#streamBytes.list();
  }

  /** Bandwidth: payload bytes in from devices and acknowledged upstream, and their ratio. */
  bandwidth(): { bytesIn: number; bytesOut: number; reduction: number } {
    const { bytesIn, bytesOut } = this.#counters;
    return { bytesIn, bytesOut, reduction: bytesOut > 0 ? bytesIn / bytesOut : Infinity };
  }

  async #start(): Promise<void> {
    const { site, id, devices, upstream, statusIntervalS } = this.config;
    if (!this.#security && this.config.security) {
      this.#security = await loadGatewaySecurity(this.config.security, site, (denial) => this.#log.warn(denial, 'refused by the device broker policy'));
    }
    const security = this.#security;
    if (security) this.#authenticate ??= (device, secret) => security.registry.verifySecret(device, secret);

    const storeConfig = this.config.store;
    this.#store = DurableStore.open({ path: storeConfig.path, synchronous: storeConfig.synchronous, outbox: storeConfig.outbox, clock: this.#clock });
    // A restart's inbox is processed again from its first row, so all of it is backlog.
    this.#admission = new InboxAdmission({ maxRows: storeConfig.inbox.maxPendingRows, maxBytes: storeConfig.inbox.maxPendingBytes }, this.#store.inboxTotals());
    await this.#startModel();
    const onDeadLetter = (letter: DeadLetterV1) => {
      this.#counters.deadLettered++;
      this.#metrics.deadLettered();
      this.#log.warn({ topic: letter.topic, reason: letter.reason }, 'dead-lettered a device message');
    };
    const onIdleFlush = () => void this.#counters.idleFlushes++;
    if (this.config.processing.thread === 'worker') {
      const workerOptions: EdgeWorkerClientOptions = {
        data: { site, gateway: id, pipelines: this.config.pipelines, rules: this.config.rules, actions: this.config.actions, reorderHoldMs: this.config.reorderHoldMs },
        nowMs: () => this.#clock.now(),
        log: this.#log,
        onDeadLetter,
        onIdleFlush,
        onCrash: (error) => {
          this.#workerRestart = this.#replaceEdgeWorker(workerOptions, error).catch((failure: unknown) => {
            this.#log.error({ err: failure }, 'edge worker could not be started again; device data stays in the inbox until the gateway restarts');
          });
        },
      };
      this.#worker = await EdgeWorkerClient.start(workerOptions);
    } else {
      this.#processor = new EdgeProcessor({
        site,
        gateway: id,
        pipelines: this.config.pipelines,
        rules: this.config.rules,
        actions: this.config.actions,
        ...(this.#detector ? { anomaly: { detector: this.#detector, sensors: this.config.anomaly!.sensors } } : {}),
        ...(security ? { security } : {}),
        clock: this.#clock,
        wallMs: monotonicWallMs,
        gzip: nodeGzip,
        log: this.#log,
        onInference: (ms) => this.#metrics.inference(ms / 1000),
        reorderHoldMs: this.config.reorderHoldMs,
        onIdleFlush,
        onDeadLetter,
      });
    }

    if (devices.url) {
      this.#deviceUrl = devices.url;
    } else {
      const listen = devices.listen ?? { host: '127.0.0.1', port: 1884 };
      this.#broker = await startBroker({
        host: listen.host,
        port: listen.port,
        id: `${site}-${id}-devices`,
        ...security?.policy,
        authorizePublish: this.#acceptingPublish(security?.policy.authorizePublish),
        tls: security?.tls,
      });
      this.#deviceUrl = this.#broker.url;
    }

    const statusTopic = topics.status(site, id);
    // Offline-first: the gateway starts, accepts and stores device data whether or not the uplink is reachable;
    // the client connects in the background and keeps reconnecting, and the forwarder drains on each connect.
    this.#upstream = createMqttClient(upstream.url, {
      clientId: `twinbed-${site}-${id}-uplink`,
      clean: true,
      resubscribe: false,
      // [MQTT-3.1.2-8] the broker publishes the will if the gateway vanishes without DISCONNECT
      will: { topic: statusTopic, payload: Buffer.from(encodeMessage(this.#status('offline'), 'json')), qos: 1, retain: true },
      onError: (error) => this.#log.warn({ err: error }, 'uplink connection error'),
    });
    // [MQTT-4.6.0-5] commands arrive in order; carry them out one at a time, so a stage finishes before the activate after it.
    this.#upstream.on('message', (topic, payload) => {
      const where = parseTopic(topic);
      if (where?.kind === 'cmd' && where.device !== id) return this.#forwardCommand(where.device, payload);
      this.#commands = this.#commands
        .then(() => this.#onGatewayCommand(topic, payload))
        .catch((error: unknown) => this.#log.error({ err: error, topic }, 'gateway command failed'));
    });
    // A clean session forgets subscriptions: subscribe on every connect, and say when the uplink comes and goes.
    this.#upstream.on('connect', () => {
      this.#log.info({ upstreamUrl: upstream.url }, 'uplink connected');
      // Its own commands and its devices': one filter, since overlapping subscriptions may deliver a message twice.
      this.#upstream?.subscribe(filters.cmd(site), { qos: 1 }, (error) => {
        if (error) this.#log.warn({ err: error }, 'cannot subscribe to gateway commands');
      });
      // Replaces the retained last-will 'offline' a previous connection (or a killed process) left behind.
      if (this.#cancelStatus !== NO_STATUS) this.#publishStatus('online');
    });
    this.#upstream.on('offline', () => this.#log.warn({ upstreamUrl: upstream.url }, 'uplink offline; storing and forwarding later'));

    // On a device broker of its own (url), the gateway keeps a persistent session: what devices publish while it is
    // down (a crash, a restart) waits there for it, because that broker acknowledged the devices already.
    const edgeOptions = { clientId: `twinbed-${site}-${id}-edge`, clean: this.#broker !== undefined };
    // With security on, the gateway's own client joins its embedded broker in memory: it needs no device
    // certificate, yet still logs in (a per-run credential) and passes the same ACL.
    this.#edge =
      security && this.#broker
        ? await connectInProcess(this.#broker.aedes, { ...edgeOptions, username: security.internal.username, password: security.internal.password })
        : await connectMqtt(this.#deviceUrl, {
            ...edgeOptions,
            // An external device broker acknowledged the device already; take each message into the inbox before
            // acknowledging it to that broker (mqtt.js sends our PUBACK when this callback returns). Installed before
            // the first packet: a persistent session's queue arrives right after CONNACK.
            ...(this.#broker
              ? {}
              : {
                  prepare: (client: MqttClient) => {
                    // mqtt.js handles one packet at a time and acknowledges it on done: holding done is backpressure.
                    // It waits for each done before the next packet, so there is nothing to group: stored at once.
                    client.handleMessage = (packet, done) => this.#admit(packet.topic, packet.payload as Buffer, packet.qos, done, false);
                  },
                }),
          });
    if (!this.#broker) {
      const only = this.config.devices.only;
      await this.#edge.subscribeAsync(only ? only.map((device) => topics.telemetry(site, device, '+')) : filters.telemetry(site), { qos: 1 });
    }

    this.#forwarder = new Forwarder({
      store: this.#store,
      client: this.#uplink ? linkUplink(this.#upstream, this.#uplink) : this.#upstream,
      clock: this.#clock,
      ...storeConfig.forwarder,
      onSent: () => this.#counters.uplinkWritten++,
      onAcked: (row) => this.#onAcked(row),
      onError: (error, row) => {
        this.#counters.uplinkErrors++;
        this.#log.error({ err: error, topic: row?.topic }, 'uplink');
      },
    });
    this.#pump = new InboxPump({
      store: this.#store,
      maxRows: storeConfig.commitMaxRows,
      process: async (row) => {
        this.#leftBacklog(row);
        return this.#afterProcessing(await this.#process(row.payload, { topic: row.topic }, row.qos, row.id));
      },
      ...(this.#worker ? { processPage: (rows) => this.#processPage(rows) } : {}),
      onError: (error, row) => this.#log.error({ err: error, inboxId: row?.id, topic: row?.topic }, 'inbox row not handed over'),
    });
    this.#forwarder.start();
    this.#pump.start();

    const ingest = this.ingest.bind(this);
    if (this.config.http) this.#http = await startHttpIngest({ ...this.config.http.listen, ingest, authenticate: this.#authenticate });
    if (this.config.coap) this.#coap = await startCoapIngest({ ...this.config.coap.listen, ingest, authenticate: this.#authenticate });
    if (this.config.metrics) {
      this.#metrics.trackQueue(() => this.#forwarder!.stats());
      this.#metricsServer = await startMetricsServer({ ...this.config.metrics.listen, registry: this.#metrics.registry });
    }

    this.#publishStatus('online');
    this.#cancelStatus = new Scheduler(this.#clock).every(statusIntervalS * 1000, () => this.#publishStatus('online'), {
      startMs: this.#clock.now() + statusIntervalS * 1000,
    });
    this.#log.info(
      { site, id, processing: this.config.processing.thread, deviceUrl: this.#deviceUrl, upstreamUrl: upstream.url, httpUrl: this.httpUrl, coapUrl: this.coapUrl, metricsUrl: this.metricsUrl, store: storeConfig.path, backlog: this.pending() },
      'gateway ready',
    );
  }

  async #startModel(): Promise<void> {
    const anomaly = this.config.anomaly;
    if (!anomaly) return;
    const keyring = new ModelKeyring(await readTrustedKeys(anomaly.trustedKeys ?? []));
    this.#slot = new ModelSlot({}, keyring);
    this.#detector = new AnomalyDetector(this.#slot, {
      anomalyAfter: anomaly.anomalyAfter,
      clearAfter: anomaly.clearAfter,
      criticalRatio: anomaly.criticalRatio,
      rule: anomaly.rule,
      ...(anomaly.threshold === undefined ? {} : { threshold: anomaly.threshold }),
    });
    if (anomaly.model) {
      const model = anomaly.model;
      const bytes = await readFile(model).catch(() => undefined);
      // With trusted keys, the signature beside the file is checked before anything parses the file.
      const signature = keyring.size > 0 && bytes ? await verifyModelFile(model, bytes, keyring, anomaly.version ?? path.basename(model, '.onnx')) : undefined;
      // The version the model carries (twinbed model fit writes one), else its file name.
      const carried = bytes ? inspectOnnx(bytes).twinbed?.version : undefined;
      // Staged by path: the slot reads the file again and checks what it reads (the signature too), as for a command.
      await this.#slot.stage(model, {
        version: anomaly.version ?? carried ?? path.basename(model, '.onnx'),
        ...(signature !== undefined ? { signature } : {}),
        ...(anomaly.sha256 ? { sha256: anomaly.sha256 } : {}),
        ...(anomaly.inputs ? { inputs: anomaly.inputs } : {}),
        ...(anomaly.threshold === undefined ? {} : { threshold: anomaly.threshold }),
      });
      this.#slot.activate();
    }
  }

  /**
   * aedes runs authorizePublish before it writes the PUBACK, so a device's telemetry goes into the durable inbox
   * here, after the policy allowed it: [MQTT-4.3.2-2] a PUBACK means the receiver has accepted ownership.
   */
  #acceptingPublish(policy: AedesOptions['authorizePublish'] | undefined): NonNullable<AedesOptions['authorizePublish']> {
    return (client, packet, done) => {
      const accept = (error?: Error | null) => {
        if (error) return done(error);
        if (!client) return done(null);
        this.#admit(packet.topic, packet.payload as Buffer, packet.qos, (failure) => done(failure ?? null), true);
      };
      if (policy) policy(client, packet, accept);
      else accept(null);
    };
  }

  /**
   * Takes a device payload into the inbox now, or, when the backlog is at its bound, once the pump has made room;
   * `done` acknowledges it (or, given an error, refuses it: the device resends). Only telemetry waits: a command to a
   * device must not queue behind readings. `grouped`: store it with the others taken in this turn of the event loop,
   * in one transaction (the broker parses many publishes per socket read; each is acknowledged once all are stored).
   */
  #admit(topic: string, payload: Buffer, qos: 0 | 1 | 2, done: (error?: Error) => void, grouped: boolean): void {
    const where = parseTopic(topic);
    // A persistent session may still hold a subscription from before `only` changed: another gateway serves those.
    const only = this.config.devices.only;
    if (where?.kind !== 'telemetry' || where.site !== this.config.site || (only && !only.includes(where.device)) || !this.#admission) return done();
    // The seq is informational in the inbox (the processor reads it when it decodes), so it is not decoded twice here.
    const input: InboxInput = { device: where.device, sensor: where.sensor, seq: null, topic, payload, qos };
    this.#admission.offer(
      () => {
        this.#admission!.entered(payload.length);
        this.#accepting.push({ input, done });
        if (!grouped) this.#storeAccepted();
        else if (this.#accepting.length === 1) setImmediate(() => this.#storeAccepted());
      },
      (error) => done(error),
    );
  }

  /** Stores the payloads taken in, in one transaction, wakes the pump, then acknowledges them (or refuses them all). */
  #storeAccepted(): void {
    const batch = this.#accepting.splice(0);
    if (batch.length === 0) return;
    try {
      this.#store!.acceptInboxBatch(batch.map((b) => b.input));
    } catch (failure) {
      // Nothing was stored and nothing acknowledged: the devices (or their broker) send them again.
      for (const { input, done } of batch) {
        this.#admission!.left(input.payload.length);
        done(failure as Error);
      }
      return;
    }
    // Counted once stored: a payload the store refused is sent again, and counted then.
    for (const { input } of batch) {
      const bytes = input.payload.length;
      this.#counters.received++;
      this.#counters.bytesIn += bytes;
      this.#metrics.bytesIn(input.device, input.sensor, bytes);
      this.#streamBytes.addIn(input.device, input.sensor, bytes);
    }
    // Before the acknowledgements: whoever waits on idle() after a PUBACK finds the pump busy with it.
    this.#pump?.notify();
    for (const { done } of batch) done();
  }

  /**
   * HTTP and CoAP ingestion: processed at once and queued before the response, so an accepted reading is durable
   * when the client hears so. Readings of a window still open are queued when the window closes.
   */
  async ingest(payload: Buffer, route: IngestRoute, qos: 0 | 1 | 2 = 1): Promise<IngestResult> {
    this.#counters.received++;
    this.#counters.bytesIn += payload.length;
    const processed = this.#afterProcessing(await this.#process(payload, route, qos));
    if (processed.stream) {
      this.#metrics.bytesIn(processed.stream.device, processed.stream.sensor, payload.length);
      this.#streamBytes.addIn(processed.stream.device, processed.stream.sensor, payload.length);
    }
    this.#store!.enqueue(processed.enqueue);
    return processed.result;
  }

  /**
   * Resolves once every reading accepted so far has been processed (its windows, events and local commands sent):
   * a simulation on a virtual clock waits on it so that a command follows from its readings at the same simulated time.
   */
  async idle(): Promise<void> {
    await this.#pump?.idle();
  }

  /** Emits every open window (the end of a run, or a shutdown without a durable store) and queues the results. */
  async flush(): Promise<void> {
    await this.#workerRestart;
    await this.#pump?.idle();
    if (!this.#pump) return;
    if (this.#worker) this.#pump.commit(this.#afterProcessing(await this.#worker.flush()));
    else if (this.#processor) this.#pump.commit(this.#afterProcessing(await this.#processor.flush()));
  }

  /** Ends the edge worker thread as a crash would, for crash tests: the gateway starts another (see `#replaceEdgeWorker`). */
  async crashEdgeWorker(): Promise<void> {
    if (!this.#worker) throw new Error('this gateway processes on its main thread (processing.thread: main): it has no edge worker');
    await this.#worker.kill();
  }

  /**
   * The edge worker died, and its state (open windows, filters, sequence numbers) with it. A new one takes the inbox
   * from its first row, as a restarted gateway does: the rows still there are the ones held for open windows and the
   * ones not processed yet, so nothing is lost and nothing already queued is made twice. A worker that dies more than
   * MAX_WORKER_RESTARTS_PER_MINUTE times a minute is left dead: processing stops and rows wait in the inbox.
   */
  async #replaceEdgeWorker(options: EdgeWorkerClientOptions, error: Error): Promise<void> {
    const pump = this.#pump;
    // No page goes to the new worker before the rows it must see first: the page in flight fails and stays.
    pump?.halt();
    const now = monotonicWallMs();
    this.#workerDeaths = this.#workerDeaths.filter((at) => now - at < 60_000).concat(now);
    if (this.#workerDeaths.length > MAX_WORKER_RESTARTS_PER_MINUTE) {
      this.#log.error({ err: error, deaths: this.#workerDeaths.length }, 'edge worker keeps dying; device data is no longer processed and stays in the inbox until the gateway restarts');
      return;
    }
    this.#log.error({ err: error }, 'edge worker died; starting another, which processes the inbox again from its first row');
    const worker = await EdgeWorkerClient.start(options);
    if (this.#stopping) return void (await worker.close());
    this.#worker = worker;
    this.#counters.edgeWorkerRestarts++;
    await pump?.idle();
    if (this.#stopping || !pump) return;
    pump.rewind();
    pump.start();
  }

  /** A row the pump read is no longer backlog (once: a page read again after a failed commit is not counted twice). */
  #leftBacklog(row: InboxRow): void {
    if (row.id <= this.#processedThroughId) return;
    this.#processedThroughId = row.id;
    this.#admission?.left(row.payload.length);
  }

  /** One payload through the edge processor, in this thread or the worker's. */
  #process(payload: Buffer, route: IngestRoute, qos: 0 | 1 | 2, inboxId?: number): Promise<Processed> {
    return this.#worker ? this.#worker.processOne(payload, route, qos, inboxId) : this.#processor!.process(payload, route, qos, inboxId);
  }

  /** A page of inbox rows through the edge worker in one message; results as the pump takes them, in row order. */
  async #processPage(rows: InboxRow[]): Promise<(Processed | Error)[]> {
    for (const row of rows) this.#leftBacklog(row);
    const outcomes = await this.#worker!.process(rows.map((row) => ({ payload: row.payload, route: { topic: row.topic }, qos: row.qos, inboxId: row.id })));
    return outcomes.map((outcome) => (outcome.ok ? this.#afterProcessing(outcome.processed) : new Error(outcome.error)));
  }

  /** Counts what processing produced and sends its local commands; returns it for the hand-over. */
  #afterProcessing(processed: Processed): Processed {
    for (const message of processed.enqueue) {
      if (message.priority === PRIORITY.events) this.#counters.events++;
      else if (message.topic.includes('/features/')) this.#counters.windows++;
    }
    for (const command of processed.commands) this.#sendCommand(command);
    return processed;
  }

  /** A command from the cloud to one of this gateway's devices: passed on to the device broker as it came. */
  #forwardCommand(device: string, payload: Buffer): void {
    const only = this.config.devices.only;
    if (only && !only.includes(device)) return;
    this.#log.info({ device }, 'cloud command forwarded to the device');
    this.#edge?.publish(topics.cmd(this.config.site, device), payload, { qos: 1 }, (error) => {
      if (error) this.#log.error({ err: error, device }, 'cloud command not delivered');
    });
  }

  /** Local action: straight to the device's cmd topic on the device broker, no cloud round trip. */
  #sendCommand({ device, command, detectedWallMs }: LocalCommand): void {
    this.#counters.commands++;
    this.#log.info({ device, action: command.action, id: command.id }, 'local action');
    this.#edge?.publish(topics.cmd(this.config.site, device), Buffer.from(encodeMessage(command, 'json')), { qos: 1 }, (error) => {
      if (error) this.#log.error({ err: error, device }, 'command not delivered');
      else this.#actionLatency.record(monotonicWallMs() - detectedWallMs);
    });
  }

  #onAcked(row: OutboxRow): void {
    this.#counters.uplinkAcked++;
    this.#counters.bytesOut += row.bytes;
    if (row.priority === PRIORITY.raw) this.#counters.rawBytesOut += row.bytes;
    const where = parseTopic(row.topic);
    if (where?.kind === 'features') {
      this.#streamBytes.addUp(where.device, where.sensor, row.bytes);
      this.#metrics.bytesUp(where.device, where.sensor, row.bytes);
    }
    this.#metrics.bytesOut(row.priority === PRIORITY.events ? 'events' : row.priority === PRIORITY.raw ? 'raw' : 'features', row.bytes);
  }

  /**
   * Commands to the gateway itself, from the cloud over MQTT: model slot operations and raw data requests. Each
   * gets a reply on the gateway's reply topic (matched by id, with a refusal's code and reasons) and shows in its
   * retained status as lastCommand.
   */
  async #onGatewayCommand(topic: string, payload: Buffer): Promise<void> {
    let command: CommandV1;
    try {
      command = decodeMessage(payload) as CommandV1;
      if (command.type !== 'cmd') throw new DecodeError('type', `expected "cmd", got "${command.type}"`);
    } catch (error) {
      this.#log.warn({ err: error, topic }, 'ignored a malformed gateway command');
      return;
    }
    const reply = await this.#carryOut(command);
    this.#log.info({ id: command.id, action: command.action, ok: reply.ok, ...(reply.error ? { error: reply.error } : {}) }, 'gateway command');
    this.#upstream?.publish(topics.reply(this.config.site, this.config.id), Buffer.from(encodeMessage(reply, 'json')), { qos: 1 });
    this.#publishStatus('online', { lastCommand: { id: reply.id, action: reply.action, ok: reply.ok } });
  }

  async #carryOut(command: CommandV1): Promise<ReplyV1> {
    const { id, action } = command;
    const base = { type: 'reply', v: 1, device: this.config.id, tsMs: this.#clock.now(), id, action } as const;
    if (action === RAW_REQUEST) {
      const args = RawRequestArgsSchema.safeParse(command.args ?? {});
      if (!args.success) return { ...base, ok: false, code: 'E_BAD_ARGS', error: args.error.issues.map((i) => `${formatFieldPath(i.path) || 'args'}: ${i.message}`).join('; ') };
      const streams = this.#worker ? await this.#worker.requestRaw(args.data) : this.#processor!.requestRaw(args.data);
      if (streams.length === 0) {
        const what = `${args.data.device}${args.data.sensor ? `/${args.data.sensor}` : ''}`;
        return { ...base, ok: false, code: 'E_NO_STREAM', error: `no stream of ${what} with raw uplink has reached this gateway` };
      }
      return { ...base, ok: true, result: { streams, seconds: args.data.seconds } };
    }
    if ((MODEL_ACTIONS as readonly string[]).includes(action)) {
      if (!this.#slot) return { ...base, ok: false, code: 'E_NO_MODEL_SLOT', error: 'this gateway has no anomaly detection configured (add `anomaly:` to its config)' };
      const { ok, id: _id, action: _action, ...rest } = await handleModelCommand(this.#slot, command, this.config.anomaly?.modelDir ? { modelDir: this.config.anomaly.modelDir } : {});
      if (ok) return { ...base, ok, result: rest };
      const { code, error, ...result } = rest as { code: string; error: string };
      return { ...base, ok, code, error, result };
    }
    return { ...base, ok: false, code: 'E_UNKNOWN_ACTION', error: `unknown gateway command "${action}"; known: ${[RAW_REQUEST, ...MODEL_ACTIONS].join(', ')}` };
  }

  #status(state: StatusV1['state']): StatusV1 {
    return { type: 'status', v: 1, device: this.config.id, tsMs: this.#clock.now(), state, counters: { ...this.#counters } };
  }

  /** The anomaly model versions the slot holds, for the status; none without anomaly detection. */
  #modelVersions(): Pick<StatusV1, 'model'> {
    if (!this.#slot) return {};
    const { active, staged, previous } = this.#slot.status();
    return {
      model: {
        ...(active ? { active: active.version } : {}),
        ...(staged ? { staged: staged.version } : {}),
        ...(previous ? { previous: previous.version } : {}),
      },
    };
  }

  #publishStatus(state: StatusV1['state'], extra?: Record<string, unknown>): void {
    // The will (built at connect) leaves the model out: it would name whatever ran then, not at the crash.
    const status: StatusV1 = { ...this.#status(state), ...this.#modelVersions() };
    const payload = extra ? { ...status, counters: { ...status.counters, ...flatten(extra) } } : status;
    // Status is current state, retained: while the uplink is down there is nothing to queue; the next connect re-sends it.
    if (!this.#upstream?.connected) return;
    this.#upstream.publish(topics.status(this.config.site, this.config.id), Buffer.from(encodeMessage(payload, 'json')), { qos: 1, retain: true });
  }

  /**
   * Stops as a SIGKILL would leave things: no DISCONNECT (the brokers publish its will), no flush of open windows, no
   * last status; what was committed stays in a durable store for the next start. For in-process crash tests.
   */
  async kill(): Promise<void> {
    this.#stopping = true;
    this.#cancelStatus();
    this.#admission?.cancel(new Error('the gateway stopped before this payload found room in its inbox; send it again'));
    this.#pump?.halt();
    this.#forwarder?.stop();
    this.#upstream?.end(true);
    this.#edge?.end(true);
    await this.#broker?.close();
    await this.#http?.close();
    await this.#coap?.close();
    await this.#metricsServer?.close();
    if (this.#store?.isOpen) this.#store.close();
    await this.#worker?.close();
    this.#edge = this.#upstream = this.#broker = undefined;
    this.#http = this.#coap = this.#metricsServer = undefined;
  }

  /**
   * Stops accepting, hands over what was accepted, and closes. With a durable store, open windows stay in the inbox
   * and the queue stays in the outbox for the next start; with an in-memory one they are flushed and sent first.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#cancelStatus();
    this.#admission?.cancel(new Error('the gateway stopped before this payload found room in its inbox; send it again'));
    await this.#http?.close();
    await this.#coap?.close();
    await this.#broker?.close();
    // Payloads taken in before the broker closed are stored, as a batch's end would have.
    if (this.#store?.isOpen) this.#storeAccepted();
    if (this.#store?.isOpen && this.config.store.path === ':memory:') await this.flush().catch(() => undefined);
    await this.#pump?.stop();
    this.#forwarder?.stop();
    if (this.#upstream?.connected) this.#publishStatus('offline');
    await this.#edge?.endAsync();
    await this.#upstream?.endAsync();
    if (this.#store?.isOpen) this.#store.close();
    await this.#worker?.close();
    await this.#metricsServer?.close();
    this.#edge = this.#upstream = this.#broker = undefined;
    this.#http = this.#coap = this.#metricsServer = undefined;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Status counters are numbers; a command result goes in as `lastCommand.ok` = 0/1 and its fields as JSON-safe numbers. */
function flatten(extra: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(extra)) {
    if (typeof value === 'number') out[key] = value;
    else if (typeof value === 'boolean') out[key] = value ? 1 : 0;
    else if (value && typeof value === 'object' && 'ok' in value) out[`${key}.ok`] = (value as { ok: boolean }).ok ? 1 : 0;
  }
  return out;
}
