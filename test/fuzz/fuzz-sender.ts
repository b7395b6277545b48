import mqtt from 'mqtt';

/** What became of one PUBLISH: the broker acknowledged it (QoS 1 PUBACK), or refused it, closing the connection. */
export type SendOutcome = { acked: true } | { acked: false; reason: string };

/**
 * Publishes at QoS 1 over plain mqtt.js (as any device would), up to `window` payloads in flight. A topic the broker
 * may refuse by closing the connection ($SYS, U+0000) goes alone, so that the payload that closed it is known; a close
 * with several in flight is reported as such (`unattributedCloses`), never blamed on one. The next send reconnects.
 */
export class FuzzSender {
  readonly #url: string;
  readonly #clientId: string;
  readonly #window: number;
  #client: Promise<mqtt.MqttClient> | undefined;
  readonly #inFlight = new Set<Promise<SendOutcome>>();
  /** Connections the broker closed. */
  closes = 0;
  /** Closes while more than one payload was in flight. */
  unattributedCloses = 0;

  constructor(url: string, clientId: string, window = 16) {
    this.#url = url;
    this.#clientId = clientId;
    this.#window = window;
  }

  /** Sends `payload` and calls `done` with its outcome; resolves once another send may start. */
  async send(topic: string, payload: Buffer, done: (outcome: SendOutcome) => void): Promise<void> {
    const alone = topic.startsWith('$') || topic.includes('\u0000');
    while (this.#inFlight.size >= (alone ? 1 : this.#window)) await Promise.race(this.#inFlight);
    const sending = this.#publish(topic, payload).then((outcome) => {
      this.#inFlight.delete(sending);
      done(outcome);
      return outcome;
    });
    this.#inFlight.add(sending);
    if (alone) await sending;
  }

  /** Resolves once every send so far has its outcome. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
  }

  async #publish(topic: string, payload: Buffer, timeoutMs = 60_000): Promise<SendOutcome> {
    this.#client ??= this.#connect();
    const client = await this.#client;
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.off('close', onClose);
        resolve(outcome);
      };
      const onClose = () => settle({ acked: false, reason: 'the broker closed the connection on this PUBLISH' });
      const timer = setTimeout(() => settle({ acked: false, reason: `no PUBACK within ${timeoutMs} ms` }), timeoutMs);
      client.once('close', onClose);
      client.publish(topic, payload, { qos: 1 }, (error) => settle(error ? { acked: false, reason: `refused: ${error.message}` } : { acked: true }));
    });
  }

  async #connect(): Promise<mqtt.MqttClient> {
    const client = await mqtt.connectAsync(this.#url, { clientId: `${this.#clientId}-${this.closes}`, reconnectPeriod: 0, connectTimeout: 10_000 });
    client.setMaxListeners(0);
    client.once('close', () => {
      this.closes++;
      if (this.#inFlight.size > 1) this.unattributedCloses++;
      this.#client = undefined;
      client.end(true);
    });
    return client;
  }

  async close(): Promise<void> {
    await this.drain();
    const client = await this.#client;
    this.#client = undefined;
    await client?.endAsync();
  }
}

/** True when an MQTT topic filter (`+`, `#`) matches a topic name [MQTT-4.7]. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * A reason with its particulars taken out (quoted values, numbers, parenthesised parser detail kept to its first
 * words), so that counts by reason group alike failures: `seq: Too small: expected number to be >=N`.
 */
export function reasonClass(reason: string): string {
  return reason
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\b(payload names) \S+ but arrived on \S+/, '$1 … but arrived on …')
    .replace(/\b[dc]\d+x?\b/g, '<device>')
    .replace(/\((.{0,40})[^)]*\)/g, '($1)')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N')
    .replace(/UTFN/g, 'UTF-8')
    .replace(/twinbed\/vN\//g, 'twinbed/v1/')
    .slice(0, 110);
}

/** Counts as a table, biggest first, the rest summed into one line past `top`. */
export function countTable(title: string, counts: ReadonlyMap<string, number>, top = 20): string {
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = rows.slice(0, top);
  const rest = rows.slice(top).reduce((n, [, c]) => n + c, 0);
  const width = Math.max(...shown.map(([, c]) => String(c).length), String(rest).length, 1);
  const lines = shown.map(([reason, c]) => `  ${String(c).padStart(width)}  ${reason}`);
  if (rest > 0) lines.push(`  ${String(rest).padStart(width)}  (${rows.length - top} more reasons)`);
  return `${title}\n${lines.join('\n')}`;
}

export function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}
