import type { PayloadFormat } from './connection-config';
import type { Dialect, DeviceIdentity, Inbound, OutMessage } from './dialect';
import type { TelemetryV1 } from '../../protocol';

type SparkplugFormat = Extract<PayloadFormat, { type: 'sparkplug-b' }>;

/** Sparkplug B 3.0: placeholder until the lifecycle lands. */
export class SparkplugDialect implements Dialect {
  readonly subscriptions: readonly string[] = [];

  constructor(_id: DeviceIdentity, _format: SparkplugFormat, _options: { now: () => number }) {}

  encode(_block: TelemetryV1, _qos: 0 | 1): OutMessage[] {
    throw new Error('sparkplug-b is not implemented yet');
  }

  receive(_topic: string, _payload: Uint8Array): Inbound {
    return {};
  }
}
