import { bytesToBase64 } from './base64';
import { encodeMessage, type CodecName } from './codec';
import { TwinbedError } from './errors';
import type { DeadLetterV1, Message, RolloutV1, SignedV1 } from './messages';

// Signing takes the MAC as a function instead of a key. protocol/ must run in the browser too, and the only
// platform-neutral HMAC there is WebCrypto, which is async, while a twin signs thousands of blocks a second in
// a synchronous publish path. Injecting the MAC keeps protocol/ free of Node and of a hand-rolled SHA-256:
// Node callers pass `crypto.createHmac('sha256', key)`, a browser a synchronous implementation of its choice.

/** HMAC-SHA256 (RFC 2104 with SHA-256) of `bytes` under the device's key: 32 bytes. */
export type MacFunction = (bytes: Uint8Array) => Uint8Array;

/** Bytes of an HMAC-SHA256 tag. */
export const MAC_BYTES = 32;

/** Messages a device may sign: every message that names its device, except an envelope itself (not the cloud's rollouts). */
export type SignableMessage = Exclude<Message, DeadLetterV1 | SignedV1 | RolloutV1>;

/**
 * Wraps `message` in a signed envelope: `body` is the message encoded with `codec`, `mac` the device's HMAC over
 * exactly those bytes, so the verifier checks what was sent rather than a re-encoding of it.
 */
export function signMessage(message: SignableMessage, mac: MacFunction, codec: CodecName = 'cbor'): SignedV1 {
  const encoded = encodeMessage(message, codec);
  // A plain view, not cbor-x's Node Buffer, so the envelope encodes the same on every platform.
  const body = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const tag = mac(body);
  if (tag.byteLength !== MAC_BYTES) {
    throw new TwinbedError('E_MAC_LENGTH', `the MAC function returned ${tag.byteLength} bytes, expected ${MAC_BYTES}: pass an HMAC-SHA256, e.g. (b) => createHmac('sha256', key).update(b).digest()`);
  }
  return { type: 'signed', v: 1, device: message.device, mac: bytesToBase64(tag), body };
}

/** Signs and encodes in one step; the envelope uses the same codec as its body. */
export function encodeSigned(message: SignableMessage, mac: MacFunction, codec: CodecName = 'cbor'): Uint8Array {
  return encodeMessage(signMessage(message, mac, codec), codec);
}
