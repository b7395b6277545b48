import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';
import { listen } from './listen';

export interface BrokerOptions extends AedesOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Serve mqtts:// with these `tls.createServer` options (certificates, client-certificate policy). Default: plain TCP. */
  tls?: tls.TlsOptions;
}

/** An aedes broker on a real TCP socket. */
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
  const aedes = await Aedes.createBroker(aedesOptions);
  // noDelay: a broker that batches small PUBACKs behind Nagle adds tens of ms per QoS 1 round trip.
  const server = tlsOptions ? tls.createServer(tlsOptions, aedes.handle) : net.createServer({ noDelay: true }, aedes.handle);
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
