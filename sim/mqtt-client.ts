import net from 'node:net';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';

export type { MqttClient } from 'mqtt';

export interface ConnectOptions extends IClientOptions {
  /** ms to wait for the first CONNACK before giving up. Default 10000. */
  connectTimeoutMs?: number;
  /**
   * Errors after the first CONNACK (the client reconnects by itself). Default: none are thrown; a lost or refused
   * connection is routine for a long-lived client, and an 'error' event without a listener would crash the process.
   */
  onError?: (error: Error) => void;
  /**
   * Runs on the client before its first packet can arrive: a persistent session's queued messages come right after
   * CONNACK, so a handler installed after connecting would miss them.
   */
  prepare?: (client: MqttClient) => void;
}

/**
 * An mqtt.js client that connects, and keeps reconnecting, in the background: for a process that must start and
 * work while its broker is unreachable (an offline-first gateway's uplink). Listen for 'connect' to act on each
 * (re)connection. Plain TCP sockets are opened with TCP_NODELAY: Nagle's algorithm otherwise holds small packets
 * back for 10–40 ms on loopback.
 */
export function createMqttClient(url: string, options: ConnectOptions = {}): MqttClient {
  const parsed = new URL(url);
  const { connectTimeoutMs = 10_000, onError, prepare, ...clientOptions } = options;
  let client: MqttClient;
  if (parsed.protocol === 'mqtt:' || parsed.protocol === 'tcp:') {
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const port = Number(parsed.port || 1883);
    client = new MqttClient(() => net.createConnection({ host, port, noDelay: true }), {
      protocol: 'mqtt',
      host,
      port,
      reconnectPeriod: 1000,
      connectTimeout: connectTimeoutMs,
      ...credentialsFrom(parsed),
      ...clientOptions,
    });
  } else {
    client = mqtt.connect(url, { connectTimeout: connectTimeoutMs, ...clientOptions });
  }
  if (onError) client.on('error', onError);
  prepare?.(client);
  return client;
}

/** Connects an mqtt.js client (see createMqttClient) and resolves on the first CONNACK; rejects if there is none in time. */
export async function connectMqtt(url: string, options: ConnectOptions = {}): Promise<MqttClient> {
  const parsed = new URL(url);
  const { onError = () => {}, ...rest } = options;
  const { connectTimeoutMs = 10_000 } = rest;
  const client = createMqttClient(url, rest);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no CONNACK from ${redact(parsed)} within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      client.removeListener('connect', ok);
      client.end(true);
      reject(new Error(`cannot connect to MQTT broker ${redact(parsed)}: ${error.message}`, { cause: error }));
    };
    const ok = () => {
      clearTimeout(timer);
      client.removeListener('error', fail);
      client.on('error', onError);
      resolve();
    };
    client.once('connect', ok);
    client.once('error', fail);
  });
  return client;
}

function credentialsFrom(url: URL): Pick<IClientOptions, 'username' | 'password'> {
  return url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {};
}

function redact(url: URL): string {
  return `${url.protocol}//${url.host}`;
}
