import { decodeMessage, DecodeError, encodeMessage, type CodecName, type CommandV1, type TelemetryV1 } from '../../protocol';
import { DEFAULT_COMMAND_TOPIC, DEFAULT_TOPIC } from './connection-config';
import type { Dialect, DeviceIdentity, Inbound, OutMessage } from './dialect';
import { expandTemplate } from './template';

/** The twinbed envelope (`{type: 'telemetry', v: 1, …}`), in CBOR or JSON, on the topic template. */
export class TwinbedDialect implements Dialect {
  readonly subscriptions: readonly string[];
  readonly #id: DeviceIdentity;
  readonly #codec: CodecName;
  readonly #topics = new Map<string, string>();
  readonly #topic: string;
  #plain = 0;

  constructor(id: DeviceIdentity, options: { codec: CodecName; topic?: string; commandTopic?: string }) {
    this.#id = id;
    this.#codec = options.codec;
    this.#topic = options.topic ?? DEFAULT_TOPIC;
    const command = options.commandTopic ?? DEFAULT_COMMAND_TOPIC;
    this.subscriptions = command ? [expandTemplate(command, id)] : [];
  }

  encode(block: TelemetryV1, qos: 0 | 1): OutMessage[] {
    return [{ topic: sensorTopic(this.#topics, this.#topic, this.#id, block.sensor), payload: encodeMessage(block, this.#codec), qos, userProperties: readingProperties(block) }];
  }

  receive(_topic: string, payload: Uint8Array): Inbound {
    return commandFrom(payload, this.#id.device, () => `plain-${++this.#plain}`);
  }
}

/** MQTT 5 user properties of a reading's messages: who sent it and its block seq, readable without the payload. */
export function readingProperties(block: TelemetryV1): Record<string, string> {
  return { device: block.device, seq: String(block.seq) };
}

/** The topic of a sensor, expanded once per sensor. */
export function sensorTopic(cache: Map<string, string>, template: string, id: DeviceIdentity, sensor: string): string {
  let topic = cache.get(sensor);
  if (topic === undefined) cache.set(sensor, (topic = expandTemplate(template, { ...id, sensor })));
  return topic;
}

/**
 * A command as devices take them: the twinbed `cmd` envelope (JSON or CBOR), or plain JSON `{action, args?, id?}`
 * as a system that does not speak twinbed would send it.
 */
export function commandFrom(payload: Uint8Array, device: string, nextId: () => string): Inbound {
  try {
    const message = decodeMessage(payload);
    if (message.type !== 'cmd') return { ignored: `a "${message.type}" message on the command topic` };
    if (message.device !== device) return { ignored: `a command for ${message.device} on ${device}'s command topic` };
    return { commands: [message] };
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
  let plain: unknown;
  try {
    plain = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ignored: 'a command that is neither a twinbed envelope nor JSON' };
  }
  const { action, args, id } = (plain ?? {}) as { action?: unknown; args?: unknown; id?: unknown };
  if (typeof action !== 'string' || action === '') return { ignored: 'a JSON command without an "action" string' };
  const command: CommandV1 = {
    type: 'cmd',
    v: 1,
    device,
    tsMs: 0,
    id: typeof id === 'string' && id ? id : nextId(),
    action,
    ...(args && typeof args === 'object' && !Array.isArray(args) ? { args: args as Record<string, unknown> } : {}),
  };
  return { commands: [command] };
}
