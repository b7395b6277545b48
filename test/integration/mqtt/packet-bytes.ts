// Packets built by hand, so a test can send what mqtt-packet's generate() refuses to write: a wrong protocol name
// or level, a reserved flag, a zero-length client id with CleanSession 0, ill-formed UTF-8, QoS 3, bad header flags.

export interface ConnectSpec {
  /** Default 'MQTT'. */
  protocolName?: string;
  /** Protocol Level byte. Default 4 (MQTT 3.1.1). */
  level?: number;
  /** CleanSession flag. Default true. */
  clean?: boolean;
  /** Keep Alive in seconds. Default 0 (off). */
  keepalive?: number;
  /** Bytes are sent as they are, so ill-formed UTF-8 can be tested. Default '' (zero-length). */
  clientId?: string | Buffer;
  /** Leave the client id out of the payload altogether (a malformed CONNECT). Default false. */
  omitClientId?: boolean;
  will?: { topic: string | Buffer; payload: string | Buffer; qos?: number; retain?: boolean };
  username?: string | Buffer;
  password?: string | Buffer;
  /** OR-ed into the computed Connect Flags byte, to set the reserved bit or contradictory flags. Default 0. */
  extraFlags?: number;
}

/** Connect Flags bits §3.1.2.3. */
export const CONNECT_FLAG = { reserved: 0x01, clean: 0x02, will: 0x04, willRetain: 0x20, password: 0x40, username: 0x80 } as const;

export function connectBytes(spec: ConnectSpec = {}): Buffer {
  const { protocolName = 'MQTT', level = 4, clean = true, keepalive = 0, clientId = '', will, username, password } = spec;
  let flags = clean ? CONNECT_FLAG.clean : 0;
  if (will) flags |= CONNECT_FLAG.will | ((will.qos ?? 0) << 3) | (will.retain ? CONNECT_FLAG.willRetain : 0);
  if (username !== undefined) flags |= CONNECT_FLAG.username;
  if (password !== undefined) flags |= CONNECT_FLAG.password;
  flags |= spec.extraFlags ?? 0;

  const body = [field(protocolName), Buffer.from([level, flags]), uint16(keepalive)];
  if (!spec.omitClientId) body.push(field(clientId));
  if (will) body.push(field(will.topic), field(will.payload));
  if (username !== undefined) body.push(field(username));
  if (password !== undefined) body.push(field(password));
  return packet(0x10, Buffer.concat(body));
}

/** A SUBSCRIBE with one filter; `header` is the whole first byte, 0x82 when well-formed [MQTT-3.8.1-1]. */
export function subscribeBytes(options: { header?: number; messageId: number; topic: string | Buffer; requestedQos: number }): Buffer {
  const { header = 0x82, messageId, topic, requestedQos } = options;
  return packet(header, Buffer.concat([uint16(messageId), field(topic), Buffer.from([requestedQos])]));
}

/** A PUBLISH whose QoS bits (1 and 2 of the first byte) can be 3 [MQTT-3.3.1-4], and whose topic can be any bytes. */
export function publishBytes(options: { qosBits: number; messageId?: number; topic: string | Buffer; payload: string }): Buffer {
  const { qosBits, messageId = 1, topic, payload } = options;
  const id = qosBits > 0 ? [uint16(messageId)] : [];
  return packet(0x30 | (qosBits << 1), Buffer.concat([field(topic), ...id, Buffer.from(payload)]));
}

function packet(header: number, rest: Buffer): Buffer {
  return Buffer.concat([Buffer.from([header]), remainingLength(rest.length), rest]);
}

function uint16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

/** A length-prefixed field §1.5.3: two bytes of length, then the bytes. */
function field(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint16(bytes.length), bytes]);
}

/** Variable-length Remaining Length §2.2.3: seven bits a byte, high bit means more. */
function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}
