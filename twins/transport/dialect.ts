import type { CommandV1, TelemetryV1 } from '../../protocol';

/** One MQTT message a device sends. */
export interface OutMessage {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  retain?: boolean;
  /** MQTT 5 user properties (ignored on 3.1.1). */
  userProperties?: Record<string, string>;
}

/** What a message on one of the device's subscriptions means to it. */
export interface Inbound {
  /** Commands for the machine, in order. */
  commands?: CommandV1[];
  /** Announce the session again (Sparkplug `Node Control/Rebirth`). */
  rebirth?: boolean;
  /** The primary host came online (true) or went offline (false) (Sparkplug 3.0 STATE). */
  hostOnline?: boolean;
  /** Drop the connection and start a new session (Sparkplug: the primary host went offline; the will says NDEATH). */
  reconnect?: boolean;
  /** Why the message was ignored, for the log and the error counts. */
  ignored?: string;
}

/**
 * How one device speaks on the wire: its payload format and the session lifecycle around it (births, deaths,
 * commands). The session owns the MQTT connection and asks the dialect what to send; a dialect does no I/O.
 */
export interface Dialect {
  /** Topics the device subscribes to after every CONNACK (its commands; Sparkplug also NCMD and STATE). */
  readonly subscriptions: readonly string[];
  /** The will for the next CONNECT, asked before every connect (Sparkplug's NDEATH carries a new bdSeq each time). */
  will?(): OutMessage | undefined;
  /** Whether readings may go out now (Sparkplug: the primary host is online). Default: always. */
  ready?(): boolean;
  /** Messages that open a session, sent after each CONNACK once ready and on a rebirth (Sparkplug NBIRTH, DBIRTH). */
  birth?(): OutMessage[];
  /** The messages that carry one reading. */
  encode(block: TelemetryV1, qos: 0 | 1): OutMessage[];
  /**
   * A message as it goes on the wire, asked just before each write (births included). Sparkplug numbers NBIRTH, DBIRTH
   * and DDATA here: a reading encoded before a reconnect or a rebirth goes out after the new births. Default: as is.
   */
  stamp?(message: OutMessage): OutMessage;
  /** A message arrived on one of the subscriptions. */
  receive(topic: string, payload: Uint8Array): Inbound;
  /** What to publish before a deliberate DISCONNECT (Sparkplug: NDEATH, since the broker drops the will then). */
  death?(): OutMessage | undefined;
  /** The connection closed; the next one is a new session (Sparkplug: bdSeq + 1). */
  disconnected?(): void;
}

/** Who a dialect speaks for. */
export interface DeviceIdentity {
  site: string;
  device: string;
  /** Position in the fleet, from 0 (for `{index}` in templates). */
  index: number;
  /** The device's sensors, in publishing order (Sparkplug declares them at birth). */
  sensors: readonly { sensor: string; unit: string; rateHz: number; blockSamples: number }[];
}
