import type { TelemetryV1 } from '../../protocol';
import { DEFAULT_COMMAND_TOPIC, DEFAULT_TOPIC, type PayloadFormat } from './connection-config';
import type { Dialect, DeviceIdentity, Inbound, OutMessage } from './dialect';
import { expandTemplate } from './template';
import { commandFrom, readingProperties, sensorTopic } from './twinbed-dialect';

type FlatJson = Extract<PayloadFormat, { type: 'flat-json' }>;

/**
 * Plain JSON as most pipelines expect it: per block `{"ts": 1767225600000, "rateHz": 1, "unit": "degC",
 * "values": [41.2]}`, or per sample `{"ts": …, "value": 41.2, "unit": "degC"}`, with renamable keys.
 */
export class FlatJsonDialect implements Dialect {
  readonly subscriptions: readonly string[];
  readonly #id: DeviceIdentity;
  readonly #format: FlatJson;
  readonly #topic: string;
  readonly #topics = new Map<string, string>();
  readonly #keys = new Map<string, FlatJson['keys']>();
  readonly #encoder = new TextEncoder();
  #plain = 0;

  constructor(id: DeviceIdentity, format: FlatJson, options: { topic?: string; commandTopic?: string }) {
    this.#id = id;
    this.#format = format;
    this.#topic = options.topic ?? DEFAULT_TOPIC;
    const command = options.commandTopic ?? DEFAULT_COMMAND_TOPIC;
    this.subscriptions = command ? [expandTemplate(command, id)] : [];
  }

  encode(block: TelemetryV1, qos: 0 | 1): OutMessage[] {
    const topic = sensorTopic(this.#topics, this.#topic, this.#id, block.sensor);
    const keys = this.#keysFor(block.sensor);
    const userProperties = readingProperties(block);
    const common = (record: Record<string, unknown>) => {
      if (keys.device) record[keys.device] = block.device;
      if (keys.sensor) record[keys.sensor] = block.sensor;
      record[keys.unit] = block.unit;
      if (keys.seq) record[keys.seq] = block.seq;
      return record;
    };
    if (this.#format.per === 'block') {
      const record = common({ [keys.ts]: this.#time(block.tsMs), [keys.rateHz]: block.rateHz, [keys.values]: Array.from(block.values) });
      return [{ topic, payload: this.#encoder.encode(JSON.stringify(record)), qos, userProperties }];
    }
    const out: OutMessage[] = [];
    const periodMs = 1000 / block.rateHz;
    for (let i = 0; i < block.values.length; i++) {
      // Sample i was taken at tsMs + 1000·i/rateHz ([protocol] TelemetryV1.rateHz).
      const record = common({ [keys.ts]: this.#time(block.tsMs + i * periodMs), [keys.value]: block.values[i] });
      out.push({ topic, payload: this.#encoder.encode(JSON.stringify(record)), qos, userProperties });
    }
    return out;
  }

  receive(_topic: string, payload: Uint8Array): Inbound {
    return commandFrom(payload, this.#id.device, () => `plain-${++this.#plain}`);
  }

  #time(ms: number): number | string {
    const { time } = this.#format;
    return time === 'ms' ? ms : time === 's' ? ms / 1000 : new Date(ms).toISOString();
  }

  #keysFor(sensor: string): FlatJson['keys'] {
    let keys = this.#keys.get(sensor);
    if (!keys) {
      const values = { ...this.#id, sensor };
      const expand = (k: string) => (k ? expandTemplate(k, values) : k);
      const k = this.#format.keys;
      keys = { ts: expand(k.ts), rateHz: expand(k.rateHz), unit: expand(k.unit), values: expand(k.values), value: expand(k.value), seq: expand(k.seq), device: expand(k.device), sensor: expand(k.sensor) };
      this.#keys.set(sensor, keys);
    }
    return keys;
  }
}
