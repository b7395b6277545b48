import { isUtf8 } from 'node:buffer';
import type { Duplex } from 'node:stream';

// Rules on the raw bytes of the first packet that aedes cannot apply: its parser (mqtt-packet) drops a CONNECT of an
// unknown Protocol Level before aedes sees it, and decodes strings leniently, so ill-formed UTF-8 and U+0000 pass.

/** CONNACK with return code 0x01, unacceptable protocol level §3.2.2.3. */
const CONNACK_UNACCEPTABLE_PROTOCOL_LEVEL = Buffer.from([0x20, 0x02, 0x00, 0x01]);

/** Longest Remaining Length of a 3.1.1 CONNECT: a 10-byte variable header and five fields of 2 + 65,535 bytes. */
const MAX_CONNECT_REMAINING = 10 + 5 * (2 + 0xffff);

/** Connect Flags that add payload fields §3.1.2.3. */
const FLAG = { will: 0x04, username: 0x80 } as const;

/** Stands for the will message, a binary field with no UTF-8 rules. */
const BINARY = Buffer.alloc(0);

/** Protocol name to the one level served under it: 3.1.1, and MQTT 3.1, which [MQTT-3.1.2-1] lets us keep. */
const LEVELS: ReadonlyMap<string, number> = new Map([
  ['MQTT', 4],
  ['MQIsdp', 3],
]);

/** What to do with a connection, judging by the bytes of its first packet received so far. */
type Verdict =
  /** Too few bytes to tell yet. */
  | 'wait'
  /** Hand it to aedes, which also closes on what its parser rejects (first packet not CONNECT, bad flags, …). */
  | 'pass'
  /** Answer CONNACK 0x01, then close. */
  | 'refuse-level'
  /** Close without CONNACK [MQTT-3.1.4-1]. */
  | 'close';

export function judgeFirstPacket(buf: Buffer): Verdict {
  if (buf.length === 0) return 'wait';
  if (buf[0]! >> 4 !== 1) return 'pass';
  let remaining = 0;
  let pos = 1;
  for (let multiplier = 1; ; multiplier *= 128) {
    if (pos >= buf.length) return 'wait';
    if (pos > 4) return 'pass';
    const byte = buf[pos++]!;
    remaining += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
  }
  const end = pos + remaining;
  const complete = buf.length >= end;
  const cursor = new Cursor(buf, pos, Math.min(end, buf.length));

  const name = cursor.field();
  const level = cursor.byte();
  if (name === undefined || level === undefined) return complete ? 'pass' : 'wait';
  const served = LEVELS.get(name.toString('latin1'));
  if (served === undefined) return 'pass';
  // [MQTT-3.1.2-2] an unsupported Protocol Level gets CONNACK 0x01, then the connection closes
  if (level !== served) return 'refuse-level';

  // [MQTT-3.1.4-1] longer than any well-formed CONNECT: malformed, closed without CONNACK
  if (remaining > MAX_CONNECT_REMAINING) return 'close';
  if (!complete) return 'wait';
  const flags = cursor.byte();
  const keepalive = cursor.skip(2);
  if (flags === undefined || !keepalive) return 'pass';
  const strings = [cursor.field()];
  if (flags & FLAG.will) strings.push(cursor.field(), cursor.field() && BINARY);
  if (flags & FLAG.username) strings.push(cursor.field());
  if (strings.includes(undefined)) return 'pass';
  // The client id, will topic and user name: [MQTT-1.5.3-1] well-formed UTF-8, [MQTT-1.5.3-2] no U+0000
  return strings.every((s) => s === BINARY || (isUtf8(s!) && !s!.includes(0))) ? 'pass' : 'close';
}

/** Reads bytes and length-prefixed fields §1.5.3; undefined when they would run past `end`. */
class Cursor {
  readonly #buf: Buffer;
  readonly #end: number;
  #pos: number;

  constructor(buf: Buffer, pos: number, end: number) {
    this.#buf = buf;
    this.#pos = pos;
    this.#end = end;
  }

  byte(): number | undefined {
    return this.#pos < this.#end ? this.#buf[this.#pos++] : undefined;
  }

  skip(count: number): boolean {
    if (this.#pos + count > this.#end) return false;
    this.#pos += count;
    return true;
  }

  field(): Buffer | undefined {
    if (this.#pos + 2 > this.#end) return undefined;
    const start = this.#pos + 2;
    const length = this.#buf.readUInt16BE(this.#pos);
    if (start + length > this.#end) return undefined;
    this.#pos = start + length;
    return this.#buf.subarray(start, start + length);
  }
}

/**
 * Wraps a connection handler (aedes' `handle`) so the first packet is judged before aedes reads it: a CONNECT that
 * aedes would mishandle is answered here, any other connection goes on to `handle` with its bytes untouched.
 * A connection that has not sent a whole first packet within `connectTimeoutMs` is closed.
 */
export function gateConnect<S extends Duplex>(handle: (socket: S) => void, connectTimeoutMs: number): (socket: S) => void {
  return (socket) => {
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), connectTimeoutMs);
    const stop = (): void => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onEnd = (): void => {
      stop();
      socket.destroy();
    };
    const onError = onEnd;
    const onReadable = (): void => {
      const chunks: Buffer[] = [buffered];
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) chunks.push(chunk);
      buffered = Buffer.concat(chunks);
      const verdict = judgeFirstPacket(buffered);
      if (verdict === 'wait') return;
      stop();
      if (verdict === 'pass') {
        socket.unshift(buffered);
        handle(socket);
      } else if (verdict === 'refuse-level') {
        // [MQTT-3.1.4-5] nothing after the refused CONNECT is processed: discard it until the client hangs up.
        socket.on('data', () => {});
        socket.on('error', () => socket.destroy());
        const linger = setTimeout(() => socket.destroy(), connectTimeoutMs);
        socket.once('close', () => clearTimeout(linger));
        socket.end(CONNACK_UNACCEPTABLE_PROTOCOL_LEVEL);
      } else {
        socket.destroy();
      }
    };
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.once('close', () => clearTimeout(timer));
  };
}
