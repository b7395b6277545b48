import net from 'node:net';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import type { BrokerPolicy } from '../../../gateway/security/broker-policy';

export interface TestBroker {
  aedes: Aedes;
  port: number;
  /** TLS handshakes the server refused or that failed, newest last. */
  tlsErrors: Error[];
  close(): Promise<void>;
}

/**
 * An aedes broker with the policy hooks on a free loopback port, over TLS when options are given: what
 * sim/broker.ts startBroker will do once it takes a `tls` option.
 */
export async function startPolicyBroker(policy: BrokerPolicy, tlsOptions?: tls.TlsOptions): Promise<TestBroker> {
  const aedes = await Aedes.createBroker({ ...policy });
  const server = tlsOptions ? tls.createServer(tlsOptions, aedes.handle) : net.createServer({ noDelay: true }, aedes.handle);
  if (tlsOptions) server.on('secureConnection', (socket: tls.TLSSocket) => socket.setNoDelay(true));
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A refused handshake is an outcome the tests assert on, not a crash.
  const tlsErrors: Error[] = [];
  server.on('tlsClientError', (error: Error) => tlsErrors.push(error));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    aedes,
    port: (server.address() as net.AddressInfo).port,
    tlsErrors,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves once the client with this id has a SUBACK-ed subscription to `topic` on the broker. */
export function subscribed(aedes: Aedes, clientId: string, topic: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (subscriptions: { topic: string }[], client: { id: string }) => {
      if (client.id === clientId && subscriptions.some((s) => s.topic === topic)) {
        aedes.removeListener('subscribe', listener);
        resolve();
      }
    };
    aedes.on('subscribe', listener);
  });
}
