import type { TelemetryV1 } from '../../protocol';
import type { PayloadFormat } from './connection-config';
import type { Dialect, DeviceIdentity, Inbound, OutMessage } from './dialect';
import { readDeviceCommand, readHostState, readNodeCommand } from './sparkplug/sparkplug-inbound';
import { deviceBirth, deviceData, nodeBirth, nodeDeath } from './sparkplug/sparkplug-metrics';
import { withSeq } from './sparkplug/sparkplug-payload';
import { sparkplugTopics, type SparkplugTopics } from './sparkplug/sparkplug-topics';
import { expandTemplate } from './template';

export type SparkplugFormat = Extract<PayloadFormat, { type: 'sparkplug-b' }>;

/**
 * Sparkplug B 3.0: the twin is an edge node (its own MQTT session) with one device whose metrics are its sensors.
 * - The will is NDEATH (QoS 1, not retained) with the connection's bdSeq, 0–255, one more on every CONNECT.
 * - Births (NBIRTH with bdSeq and `Node Control/Rebirth`, then DBIRTH) go out once per connection, once the primary
 *   host's STATE says online if there is one, and again on a rebirth request (same bdSeq) or when the host is back.
 * - Each block is a DDATA with its sensor's FloatArray metric, by alias.
 * - NBIRTH, DBIRTH and DDATA carry the node's seq, given by `stamp` as each is written: 0 at NBIRTH, wrapping 255 → 0.
 * - DCMD `Device Control/{action}` metrics are twinbed commands (see readDeviceCommand).
 * Births and DDATA are QoS 0 whatever the reading's QoS ([tck-id-topics-nbirth-mqtt], [tck-id-topics-dbirth-mqtt],
 * [tck-id-topics-ddata-mqtt]): the host finds a loss by seq, and mqtt.js resends unacknowledged QoS 1 messages on
 * reconnect before anything else, which would put the last session's DDATA ahead of the new NBIRTH.
 */
export class SparkplugDialect implements Dialect {
  readonly subscriptions: readonly string[];
  readonly #id: DeviceIdentity;
  readonly #now: () => number;
  readonly #topics: SparkplugTopics;
  readonly #aliases = new Map<string, number>();
  #bdSeq = 0;
  #seq = 0;
  /** Births went out in this connection and still stand (no rebirth asked, the host did not go offline). */
  #announced = false;
  #hostOnline: boolean;
  #lastStateMs = -Infinity;
  #commands = 0;

  constructor(id: DeviceIdentity, format: SparkplugFormat, options: { now: () => number }) {
    this.#id = id;
    this.#now = options.now;
    const values = { site: id.site, device: id.device, index: id.index };
    this.#topics = sparkplugTopics({
      groupId: expandTemplate(format.groupId, values),
      edgeNodeId: expandTemplate(format.edgeNodeId, values),
      deviceId: expandTemplate(format.deviceId, values),
      primaryHostId: format.primaryHostId,
    });
    id.sensors.forEach((s, i) => this.#aliases.set(s.sensor, i + 1));
    this.#hostOnline = this.#topics.state === undefined;
    // [tck-id-message-flow-edge-node-ncmd-subscribe] NCMD (the session subscribes at QoS 1); DCMD for commands.
    this.subscriptions = [this.#topics.ncmd, this.#topics.dcmd, ...(this.#topics.state ? [this.#topics.state] : [])];
  }

  /** The topics this node publishes and subscribes to. */
  get topics(): Readonly<SparkplugTopics> {
    return this.#topics;
  }

  /** [tck-id-message-flow-edge-node-birth-publish-will-message-qos], [-will-retained]: QoS 1, not retained. */
  will(): OutMessage {
    return { topic: this.#topics.ndeath, payload: nodeDeath(this.#bdSeq, this.#now()), qos: 1, retain: false };
  }

  /** [tck-id-message-flow-edge-node-birth-publish-phid-wait] With a primary host, nothing goes out until it is online. */
  ready(): boolean {
    return this.#hostOnline;
  }

  /** NBIRTH then DBIRTH, unless this connection's births still stand (the session may ask twice as STATE arrives). */
  birth(): OutMessage[] {
    if (this.#announced) return [];
    this.#announced = true;
    const nowMs = this.#now();
    return [
      { topic: this.#topics.nbirth, payload: nodeBirth(this.#bdSeq, nowMs), qos: 0, retain: false },
      { topic: this.#topics.dbirth, payload: deviceBirth(this.#id.sensors, nowMs), qos: 0, retain: false },
    ];
  }

  encode(block: TelemetryV1, _qos: 0 | 1): OutMessage[] {
    const alias = this.#aliases.get(block.sensor);
    if (alias === undefined) throw new RangeError(`sensor "${block.sensor}" of ${this.#id.device} has no Sparkplug metric: its DBIRTH declares only ${[...this.#aliases.keys()].join(', ')}`);
    return [{ topic: this.#topics.ddata, payload: deviceData(alias, block, this.#now()), qos: 0, retain: false }];
  }

  /**
   * Gives NBIRTH, DBIRTH and DDATA the node's next seq as they are written ([tck-id-topics-nbirth-seq-num] 0 at
   * NBIRTH; [tck-id-topics-ddata-seq-num] one more per message, 255 → 0); other messages pass unchanged.
   */
  stamp(message: OutMessage): OutMessage {
    const { nbirth, dbirth, ddata } = this.#topics;
    if (message.topic === nbirth) this.#seq = 0;
    else if (message.topic !== dbirth && message.topic !== ddata) return message;
    const seq = this.#seq;
    this.#seq = (seq + 1) % 256;
    return { ...message, payload: withSeq(message.payload, seq) };
  }

  receive(topic: string, payload: Uint8Array): Inbound {
    if (topic === this.#topics.state) return this.#hostState(payload);
    if (topic === this.#topics.ncmd) {
      const { rebirth, ignored } = readNodeCommand(payload);
      // [tck-id-operational-behavior-data-commands-rebirth-action-3] a rebirth keeps the connection's bdSeq.
      if (rebirth) this.#announced = false;
      return { ...(rebirth ? { rebirth } : {}), ...(ignored ? { ignored } : {}) };
    }
    if (topic === this.#topics.dcmd) {
      const { commands, ignored } = readDeviceCommand(payload, this.#id.device, this.#now(), () => `spb-${++this.#commands}`);
      return { ...(commands.length ? { commands } : {}), ...(ignored ? { ignored } : {}) };
    }
    return { ignored: `a message on ${topic}, which is none of this node's Sparkplug topics` };
  }

  /** [tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath] NDEATH before a deliberate DISCONNECT. */
  death(): OutMessage {
    return { topic: this.#topics.ndeath, payload: nodeDeath(this.#bdSeq, this.#now()), qos: 1, retain: false };
  }

  /** [tck-id-topics-nbirth-bdseq-increment] The next CONNECT is a new session: bdSeq + 1, births again. */
  disconnected(): void {
    this.#bdSeq = (this.#bdSeq + 1) % 256;
    this.#announced = false;
    // A new session waits for the host's retained STATE again: it may have gone offline in between.
    if (this.#topics.state !== undefined) this.#hostOnline = false;
  }

  #hostState(payload: Uint8Array): Inbound {
    const state = readHostState(payload);
    if (typeof state === 'string') return { ignored: state };
    // [tck-id-message-flow-edge-node-birth-publish-phid-wait-timestamp] an older STATE is a past session of the host.
    if (state.timestampMs < this.#lastStateMs) return { ignored: `a STATE older (${state.timestampMs}) than the last one (${this.#lastStateMs})` };
    this.#lastStateMs = state.timestampMs;
    const wasOnline = this.#hostOnline;
    if (!state.online) this.#announced = false;
    this.#hostOnline = state.online;
    // [tck-id-operational-behavior-edge-node-primary-host-state-offline] the host went away: end this session (the
    // broker sends the NDEATH will) and start a new one, with the next bdSeq, that waits for the host again.
    if (wasOnline && !state.online) return { hostOnline: false, reconnect: true };
    return { hostOnline: state.online };
  }
}
