import { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions } from 'mqtt';

/** The part of an aedes broker the link needs: it serves MQTT on any duplex stream. */
export interface StreamHandler {
  handle(stream: Duplex): unknown;
}

/**
 * The gateway's own clients reach its embedded broker through memory rather than a socket: they need no
 * client certificate when devices must present one, their traffic costs no TLS, and their credential never
 * crosses a network. They still log in (with the internal credential) and pass the same ACL hooks.
 */
export function inProcessStream(broker: StreamHandler): () => Duplex {
  return () => {
    const [client, server] = duplexPair();
    broker.handle(server);
    return client;
  };
}

/** An mqtt.js client on an in-process link; resolves on CONNACK, rejects on refusal or after connectTimeoutMs. */
export async function connectInProcess(broker: StreamHandler, options: IClientOptions & { connectTimeoutMs?: number } = {}): Promise<MqttClient> {
  const { connectTimeoutMs = 10_000, ...clientOptions } = options;
  const client = new MqttClient(inProcessStream(broker), {
    protocol: 'mqtt',
    reconnectPeriod: 1000,
    connectTimeout: connectTimeoutMs,
    ...clientOptions,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no CONNACK within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      client.removeListener('connect', ok);
      client.end(true);
      reject(new Error(`cannot connect to the embedded broker in process: ${error.message}`, { cause: error }));
    };
    const ok = () => {
      clearTimeout(timer);
      client.removeListener('error', fail);
      resolve();
    };
    client.once('connect', ok);
    client.once('error', fail);
  });
  return client;
}

/**
 * Two connected duplex streams: what one writes the other reads. A write waits (keeps its callback) while the
 * reader's buffer is full, so a slow consumer slows the producer as a socket would. (`stream.duplexPair` is
 * Node ≥ 22.6.)
 */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const waiting: ((() => void) | undefined)[] = [undefined, undefined];
  const make = (self: 0 | 1): Duplex => {
    const other = (1 - self) as 0 | 1;
    return new Duplex({
      read() {
        const resume = waiting[other];
        waiting[other] = undefined;
        resume?.();
      },
      write(chunk: Buffer, _encoding, callback) {
        if (ends[other]!.push(chunk)) callback();
        else waiting[self] = callback;
      },
      final(callback) {
        ends[other]!.push(null);
        callback();
      },
      destroy(error, callback) {
        const pending = waiting[self];
        waiting[self] = undefined;
        pending?.(); // a write held for backpressure completes; Node reports it as destroyed to its writer
        if (!ends[other]!.destroyed) ends[other]!.destroy();
        callback(error);
      },
    });
  };
  ends.push(make(0), make(1));
  return [ends[0]!, ends[1]!];
}
