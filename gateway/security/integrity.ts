import { createHmac, timingSafeEqual } from 'node:crypto';
import { base64ToBytes, decodeMessage, DecodeError, MAC_BYTES, type MacFunction, type Message, type SignedV1 } from '../../protocol';
import type { DeviceRegistry } from './device-registry';
import { IntegrityError } from './errors';
import { ReplayWindow } from './replay-window';

/** HMAC-SHA256 under `key` with Node's crypto: the MacFunction a Node twin passes to signMessage. */
export function hmacSha256(key: Uint8Array): MacFunction {
  return (bytes) => createHmac('sha256', key).update(bytes).digest();
}

export interface IntegrityOptions {
  /** Seqs remembered per (device, sensor) for replay detection; a multiple of 32. Default 1024. */
  replayWindow?: number;
}

/**
 * Checks device messages against the registry: opens signed envelopes (HMAC, then replay window), and refuses
 * unsigned messages from devices that must sign. One instance per gateway: the replay state lives here, in memory,
 * so it starts empty on every gateway start.
 */
export class IntegrityVerifier {
  readonly #registry: DeviceRegistry;
  readonly #windowSize: number;
  readonly #windows = new Map<string, ReplayWindow>();

  constructor(registry: DeviceRegistry, options: IntegrityOptions = {}) {
    this.#registry = registry;
    this.#windowSize = options.replayWindow ?? 1024;
    new ReplayWindow(this.#windowSize); // validates the size now rather than at the first message
  }

  /**
   * The message to process: the inner message of a valid signed envelope, or an unsigned message its device
   * may send. Throws IntegrityError (reason fit for the dead-letter topic), or DecodeError for a body that
   * carries a valid MAC but is not a valid message.
   */
  verify(message: Message): Message {
    if (message.type === 'signed') return this.#open(message);
    if (message.type === 'deadletter' || message.type === 'rollout') throw new IntegrityError('E_UNKNOWN_DEVICE', `a ${message.type} message names no device; devices may not send them`);
    const device = this.#registry.get(message.device);
    if (!device) throw unknownDevice(message.device);
    if (device.requireHmac) {
      throw new IntegrityError('E_UNSIGNED', `unsigned ${message.type} from ${message.device}: the device registry requires signed messages from it (requireHmac: true); wrap it with signMessage()`);
    }
    return message;
  }

  /** Highest seq accepted for (device, sensor); -1 before the first. */
  highestSeq(device: string, sensor: string): number {
    return this.#windows.get(`${device}/${sensor}`)?.highest ?? -1;
  }

  #open(signed: SignedV1): Message {
    if (!this.#registry.get(signed.device)) throw unknownDevice(signed.device);
    const key = this.#registry.hmacKey(signed.device);
    if (!key) throw new IntegrityError('E_BAD_MAC', `${signed.device} has no hmacKey in the device registry, so its signature cannot be checked; add one (twinbed certs issues one per device)`);
    const expected = createHmac('sha256', key).update(signed.body).digest();
    const given = base64ToBytes(signed.mac);
    if (given.length !== MAC_BYTES || !timingSafeEqual(expected, given)) {
      throw new IntegrityError('E_BAD_MAC', `bad HMAC on a signed message from ${signed.device}: the body was altered or signed with another key`);
    }
    let inner: Message;
    try {
      inner = decodeMessage(signed.body);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      // Re-rooted under `body`: DecodeError's message is "field: reason", so keep only the reason.
      const reason = error.field ? error.message.slice(error.field.length + 2) : error.message;
      throw new DecodeError(error.field ? `body.${error.field}` : 'body', reason, { cause: error });
    }
    if (inner.type === 'signed' || inner.type === 'deadletter' || inner.type === 'rollout') {
      throw new DecodeError('body.type', `a signed envelope must wrap a device message, not "${inner.type}"`);
    }
    if (inner.device !== signed.device) {
      throw new IntegrityError('E_DEVICE_MISMATCH', `the envelope is signed by ${signed.device} but its ${inner.type} names ${inner.device}`);
    }
    // Only messages with a seq can be checked for replay: telemetry (and features, which devices may not publish).
    if ('seq' in inner && 'sensor' in inner && inner.sensor !== undefined) this.#checkReplay(inner.device, inner.sensor, inner.seq);
    return inner;
  }

  /** Runs after the MAC check, so forged messages cannot move the window. */
  #checkReplay(device: string, sensor: string, seq: number): void {
    const stream = `${device}/${sensor}`;
    let window = this.#windows.get(stream);
    if (!window) this.#windows.set(stream, (window = new ReplayWindow(this.#windowSize)));
    const highest = window.highest;
    const verdict = window.accept(seq);
    if (verdict === 'replayed') throw new IntegrityError('E_REPLAY', `replayed seq ${seq} for ${stream} (highest seen ${highest}, window ${window.size})`);
    if (verdict === 'too-old') {
      throw new IntegrityError('E_REPLAY', `seq ${seq} for ${stream} is older than the replay window (highest seen ${highest}, window ${window.size}); treated as a replay`);
    }
  }
}

function unknownDevice(device: string): IntegrityError {
  return new IntegrityError('E_UNKNOWN_DEVICE', `unknown device ${device}: it is not in the device registry; register it with \`twinbed certs --devices ${device}\``);
}
