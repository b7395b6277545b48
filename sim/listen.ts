import type { AddressInfo, Server } from 'node:net';

/** Where a server listens: its address and port, and the host as it goes in a URL (IPv6 in brackets). */
export interface Listening {
  host: string;
  port: number;
  urlHost: string;
}

/** Starts `server` listening on host:port (0 picks a free port); rejects with the listen error, e.g. EADDRINUSE. */
export async function listen(server: Server, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return { host: address.address, port: address.port, urlHost: address.family === 'IPv6' ? `[${address.address}]` : address.address };
}
