import type { MqttClient } from '../sim';

/**
 * QoS 1 publisher with a bounded in-flight window: `send` resolves once there is room, so a virtual clock
 * that awaits it runs exactly as fast as the broker acknowledges.
 */
export class WindowedPublisher {
  readonly #client: MqttClient;
  readonly #maxInflight: number;
  #inflight = 0;
  #waiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  readonly #byTopicKey = new Map<string, { acked: number; failed: number; bytes: number }>();
  sent = 0;
  acked = 0;
  failed = 0;
  bytes = 0;
  lastError: Error | undefined;

  constructor(client: MqttClient, maxInflight: number) {
    this.#client = client;
    this.#maxInflight = maxInflight;
  }

  /** Counts per sensor (the topic's last level). */
  statsFor(sensor: string): { acked: number; failed: number; bytes: number } {
    return { ...(this.#byTopicKey.get(sensor) ?? { acked: 0, failed: 0, bytes: 0 }) };
  }

  async send(topic: string, payload: Uint8Array, qos: 0 | 1 = 1): Promise<void> {
    while (this.#inflight >= this.#maxInflight) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    const key = topic.slice(topic.lastIndexOf('/') + 1);
    let counts = this.#byTopicKey.get(key);
    if (!counts) this.#byTopicKey.set(key, (counts = { acked: 0, failed: 0, bytes: 0 }));
    this.#inflight++;
    this.sent++;
    this.bytes += payload.byteLength;
    counts.bytes += payload.byteLength;
    const buffer = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    // [MQTT-4.3.2] QoS 1: the client keeps the message until PUBACK; mqtt.js resends it after a reconnect.
    // QoS 0 completes once written to the socket ([MQTT-4.3.1]: at most once, no acknowledgement).
    this.#client.publish(topic, buffer, { qos }, (error) => {
      this.#inflight--;
      if (error) {
        this.failed++;
        counts.failed++;
        this.lastError = error;
      } else {
        this.acked++;
        counts.acked++;
      }
      this.#waiters.shift()?.();
      if (this.#inflight === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve();
    });
  }

  /** Resolves when every sent message has been acknowledged or has failed. */
  async drain(): Promise<void> {
    if (this.#inflight === 0) return;
    await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }
}
