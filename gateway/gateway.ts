import pino, { type Logger } from 'pino';
import {
  bytesToBase64,
  decodeMessage,
  DecodeError,
  encodeMessage,
  filters,
  parseTopic,
  topics,
  type DeadLetterV1,
  type FeaturesV1,
  type StatusV1,
} from '../protocol';
import { connectMqtt, Scheduler, startBroker, type Cancel, type Clock, type EmbeddedBroker, type LinkChannel, type MqttClient } from '../sim';
import type { GatewayConfig } from './config';
import { startCoapIngest, type CoapIngestServer } from './coap-ingest';
import type { DeviceAuthenticator, IngestResult, IngestRoute } from './device-auth';
import { startHttpIngest, type HttpIngestServer } from './http-ingest';
import { blockFeatures } from './features';
import { connectInProcess, IntegrityError, loadGatewaySecurity, type GatewaySecurity } from './security';

export interface GatewayOptions {
  config: GatewayConfig;
  clock: Clock;
  logger?: Logger;
  /** Checks device credentials on HTTP and CoAP. Default: none (an open site). */
  authenticate?: DeviceAuthenticator;
  /** The simulated uplink to the cloud broker (in-process runs); what the gateway sends crosses it first. */
  uplink?: LinkChannel;
  /** Device security built in memory (in-process runs); overrides `config.security`, which loads it from files. */
  security?: GatewaySecurity;
}

/** Monotonic counters; exposed in-process and in every status message. */
export interface GatewayCounters {
  /** Telemetry messages received from devices (valid or not). */
  received: number;
  /** Payload bytes received from devices. */
  bytesIn: number;
  /** Feature messages published upstream. */
  featuresPublished: number;
  /** Feature messages written to the upstream connection (a simulated uplink may write one twice, or never). */
  featuresWritten: number;
  /** Feature writes the upstream broker acknowledged (QoS 0: written to the socket). */
  featuresAcked: number;
  /** Payload bytes published upstream (features and dead letters). */
  bytesOut: number;
  /** Messages rejected to the dead-letter topic. */
  deadLettered: number;
  /** Upstream publishes that failed. */
  uplinkErrors: number;
}

interface PublishHooks {
  /** Called each time the message is written upstream (once, or once per copy a simulated uplink delivers). */
  onWrite?: () => void;
  /** Called when a write is acknowledged (QoS 1) or flushed (QoS 0). */
  onAck?: () => void;
  retain?: boolean;
}

/**
 * The edge gateway: takes device telemetry from the device-side broker (embedded or external), computes
 * features for each block, and publishes them upstream. Malformed payloads go to the dead-letter topic.
 */
export class Gateway {
  readonly config: GatewayConfig;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** Device credential check for HTTP and CoAP; undefined on an open site (no registry). */
  #authenticate: DeviceAuthenticator | undefined;
  readonly #uplink: LinkChannel | undefined;
  #security: GatewaySecurity | undefined;
  readonly #counters: GatewayCounters = {
    received: 0,
    bytesIn: 0,
    featuresPublished: 0,
    featuresWritten: 0,
    featuresAcked: 0,
    bytesOut: 0,
    deadLettered: 0,
    uplinkErrors: 0,
  };
  #broker: EmbeddedBroker | undefined;
  #edge: MqttClient | undefined;
  #upstream: MqttClient | undefined;
  #cancelStatus: Cancel = () => {};
  #deviceUrl = '';
  #http: HttpIngestServer | undefined;
  #coap: CoapIngestServer | undefined;

  private constructor(options: GatewayOptions) {
    this.config = options.config;
    this.#clock = options.clock;
    this.#log = options.logger ?? pino({ level: 'silent' });
    this.#authenticate = options.authenticate;
    this.#uplink = options.uplink;
    this.#security = options.security;
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

  counters(): GatewayCounters {
    return { ...this.#counters };
  }

  async #start(): Promise<void> {
    const { site, id, devices, upstream, statusIntervalS } = this.config;
    if (!this.#security && this.config.security) {
      this.#security = await loadGatewaySecurity(this.config.security, site, (denial) => this.#log.warn(denial, 'refused by the device broker policy'));
    }
    const security = this.#security;
    if (security) this.#authenticate ??= (device, secret) => security.registry.verifySecret(device, secret);
    if (devices.url) {
      this.#deviceUrl = devices.url;
    } else {
      const listen = devices.listen ?? { host: '127.0.0.1', port: 1884 };
      this.#broker = await startBroker({ host: listen.host, port: listen.port, id: `${site}-${id}-devices`, ...security?.policy, tls: security?.tls });
      this.#deviceUrl = this.#broker.url;
    }
    const statusTopic = topics.status(site, id);
    this.#upstream = await connectMqtt(upstream.url, {
      clientId: `twinbed-${site}-${id}-uplink`,
      clean: true,
      // [MQTT-3.1.2-8] the broker publishes the will if the gateway vanishes without DISCONNECT
      will: { topic: statusTopic, payload: Buffer.from(encodeMessage(this.#status('offline'), 'json')), qos: 1, retain: true },
    });
    const edgeOptions = { clientId: `twinbed-${site}-${id}-edge`, clean: true };
    // With security on, the gateway's own subscriber joins its embedded broker in memory: it needs no device
    // certificate, yet still logs in (a per-run credential) and passes the same ACL.
    this.#edge =
      security && this.#broker
        ? await connectInProcess(this.#broker.aedes, { ...edgeOptions, username: security.internal.username, password: security.internal.password })
        : await connectMqtt(this.#deviceUrl, edgeOptions);
    this.#edge.on('message', (topic, payload, packet) => this.ingest(payload, { topic }, packet.qos));
    await this.#edge.subscribeAsync(filters.telemetry(site), { qos: 1 });

    const ingest = this.ingest.bind(this);
    if (this.config.http) this.#http = await startHttpIngest({ ...this.config.http.listen, ingest, authenticate: this.#authenticate });
    if (this.config.coap) this.#coap = await startCoapIngest({ ...this.config.coap.listen, ingest, authenticate: this.#authenticate });

    this.#publishStatus('online');
    this.#cancelStatus = new Scheduler(this.#clock).every(statusIntervalS * 1000, () => this.#publishStatus('online'), {
      startMs: this.#clock.now() + statusIntervalS * 1000,
    });
    this.#log.info({ site, id, deviceUrl: this.#deviceUrl, upstreamUrl: upstream.url, httpUrl: this.httpUrl, coapUrl: this.coapUrl }, 'gateway ready');
  }


  /**
   * The one ingest path for every protocol (MQTT, HTTP, CoAP): decode, check the payload against its topic, compute
   * features and publish them upstream. Returns the reason when the message was dead-lettered.
   */
  ingest(payload: Buffer, route: IngestRoute, qos: 0 | 1 | 2 = 1): IngestResult {
    this.#counters.received++;
    this.#counters.bytesIn += payload.length;
    let features: FeaturesV1;
    // For HTTP and CoAP the envelope names its topic; a rejected one is filed under the authenticated device.
    let topic = 'topic' in route ? route.topic : topics.telemetry(this.config.site, route.device ?? 'unknown', 'unknown');
    try {
      const decoded = decodeMessage(payload);
      // A signed envelope is checked (MAC, replay window) and unwrapped; devices that must sign cannot skip it.
      const message = this.#security ? this.#security.verifier.verify(decoded) : decoded;
      if (message.type !== 'telemetry') throw new DecodeError('type', `expected "telemetry", got "${message.type}"`);
      const telemetry = message;
      if ('topic' in route) {
        const where = parseTopic(topic);
        if (where?.kind !== 'telemetry' || where.site !== this.config.site || where.device !== telemetry.device || where.sensor !== telemetry.sensor) {
          throw new DecodeError('device', `payload names ${telemetry.device}/${telemetry.sensor} but arrived on ${topic}`);
        }
      } else {
        topic = topics.telemetry(this.config.site, telemetry.device, telemetry.sensor);
        if (route.device !== undefined && route.device !== telemetry.device) {
          throw new DecodeError('device', `authenticated as ${route.device} over ${route.via} but the envelope names ${telemetry.device}`);
        }
      }
      const n = telemetry.values.length;
      features = {
        type: 'features',
        v: 1,
        device: telemetry.device,
        sensor: telemetry.sensor,
        seq: telemetry.seq,
        tsMs: telemetry.tsMs,
        windowMs: (1000 * Math.max(n, 1)) / telemetry.rateHz,
        unit: telemetry.unit,
        features: { ...blockFeatures(telemetry.values) },
      };
    } catch (error) {
      return { accepted: false, reason: this.#deadLetter(topic, payload, error) };
    }
    // Features keep the reading's QoS: a QoS 0 reading stays best-effort all the way to the cloud.
    const upQos = qos === 0 ? 0 : 1;
    this.#publishUpstream(topics.features(this.config.site, features.device, features.sensor), encodeMessage(features, 'cbor'), upQos, {
      onWrite: () => this.#counters.featuresWritten++,
      onAck: () => this.#counters.featuresAcked++,
    });
    this.#counters.featuresPublished++;
    return { accepted: true };
  }

  #deadLetter(topic: string, payload: Buffer, error: unknown): string {
    if (!(error instanceof DecodeError) && !(error instanceof IntegrityError)) throw error;
    this.#counters.deadLettered++;
    const letter: DeadLetterV1 = {
      type: 'deadletter',
      v: 1,
      stage: 'gateway',
      topic,
      reason: error.message,
      tsMs: this.#clock.now(),
      payloadB64: bytesToBase64(payload),
    };
    this.#log.warn({ topic, reason: error.message, bytes: payload.length }, 'dead-lettered a device message');
    this.#publishUpstream(topics.deadLetter(this.config.site), encodeMessage(letter, 'json'), 1);
    return error.message;
  }

  #publishUpstream(topic: string, payload: Uint8Array, qos: 0 | 1, hooks: PublishHooks = {}): void {
    if (!this.#upstream) return;
    this.#counters.bytesOut += payload.byteLength;
    const uplink = this.#uplink;
    if (uplink) uplink.send({ bytes: payload.byteLength, qos }, () => this.#publishNow(topic, payload, qos, hooks));
    else this.#publishNow(topic, payload, qos, hooks);
  }

  #publishNow(topic: string, payload: Uint8Array, qos: 0 | 1, { onWrite, onAck, retain = false }: PublishHooks): void {
    const upstream = this.#upstream;
    if (!upstream) return;
    onWrite?.();
    upstream.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos, retain }, (error) => {
      if (error) {
        this.#counters.uplinkErrors++;
        this.#log.error({ topic, err: error }, 'upstream publish failed');
      } else onAck?.();
    });
  }

  #status(state: StatusV1['state']): StatusV1 {
    return { type: 'status', v: 1, device: this.config.id, tsMs: this.#clock.now(), state, counters: { ...this.#counters } };
  }

  #publishStatus(state: StatusV1['state']): void {
    this.#publishUpstream(topics.status(this.config.site, this.config.id), encodeMessage(this.#status(state), 'json'), 1, { retain: true });
  }

  /** Publishes a final status, disconnects both sides and closes the embedded broker. */
  async stop(): Promise<void> {
    this.#cancelStatus();
    if (this.#upstream?.connected) this.#publishStatus('offline');
    await this.#http?.close();
    await this.#coap?.close();
    await this.#edge?.endAsync();
    await this.#upstream?.endAsync();
    await this.#broker?.close();
    this.#edge = this.#upstream = this.#broker = undefined;
    this.#http = this.#coap = undefined;
  }
}
