import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';
import { gateConnect } from './connect-gate';
import { connectRules } from './connect-rules';
import { listen } from './listen';
import { sessionRules } from './session-rules';
import { topicRules } from './topic-rules';

/** aedes' own default for `connectTimeout`: milliseconds a new connection has to send its CONNECT. */
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

export interface BrokerOptions extends AedesOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Serve mqtts:// with these `tls.createServer` options (certificates, client-certificate policy). Default: plain TCP. */
  tls?: tls.TlsOptions;
}

/**
 * An aedes broker on a real TCP socket that follows MQTT 3.1.1 where aedes 1.x does not (see connect-gate.ts,
 * connect-rules.ts, topic-rules.ts, session-rules.ts; test/integration/mqtt/ checks each rule). The `preConnect`,
 * `authenticate`, `authorizePublish`, `authorizeSubscribe` and `authorizeForward` hooks in the options run after the
 * broker's own rules.
 */
export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly host: string;
  readonly port: number;
  /** `mqtt://host:port` (or `mqtts://` with TLS), for clients. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBroker(options: BrokerOptions = {}): Promise<EmbeddedBroker> {
  const { host = '127.0.0.1', port = 0, tls: tlsOptions, ...aedesOptions } = options;
  // Each layer of rules runs before the hooks it wraps: session rules, then topic rules, then the caller's hooks.
  const topics = topicRules(aedesOptions);
  const session = sessionRules({ ...aedesOptions, ...topics });
  const aedes = await Aedes.createBroker({ ...aedesOptions, ...connectRules(aedesOptions), ...topics, ...session.hooks });
  session.attach(aedes);
  const handle = gateConnect(aedes.handle, aedesOptions.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS);
  // noDelay: a broker that batches small PUBACKs behind Nagle adds tens of ms per QoS 1 round trip.
  const server = tlsOptions ? tls.createServer(tlsOptions, handle) : net.createServer({ noDelay: true }, handle);
  if (tlsOptions) server.on('secureConnection', (socket: tls.TLSSocket) => socket.setNoDelay(true));
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const where = await listen(server, port, host);
  return {
    aedes,
    host: where.host,
    port: where.port,
    url: `${tlsOptions ? 'mqtts' : 'mqtt'}://${where.urlHost}:${where.port}`,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
