import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type OutgoingMessage } from 'coap';
import type { DeviceAuthenticator, Ingest } from './device-auth';

export interface CoapIngestServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * CoAP ingestion (RFC 7252) for constrained devices: `POST coap://host:port/v1/ingest?id=DEVICE&secret=SECRET` with
 * one telemetry envelope (CBOR or JSON) as the payload. Plain CoAP has no authentication of its own, so the same
 * device credentials ride in the query; deploy it behind DTLS or on an isolated network.
 */
export async function startCoapIngest(options: { host: string; port: number; ingest: Ingest; authenticate?: DeviceAuthenticator }): Promise<CoapIngestServer> {
  const server = createServer({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
  server.on('request', (req: IncomingMessage, res: OutgoingMessage) => {
    handle(req, res, options).catch((error: unknown) => respond(res, '5.00', (error as Error).message));
  });
  await new Promise<void>((resolve, reject) => server.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve())));
  const socket = (server as unknown as { _sock: { address(): AddressInfo } })._sock;
  const { port } = socket.address();
  return {
    url: `coap://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/v1/ingest`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(req: IncomingMessage, res: OutgoingMessage, options: Parameters<typeof startCoapIngest>[0]): Promise<void> {
  const url = new URL(req.url, 'coap://gateway');
  if (url.pathname !== '/v1/ingest') return respond(res, '4.04', 'POST telemetry envelopes to /v1/ingest');
  if (req.method !== 'POST') return respond(res, '4.05', 'use POST');
  let device: string | undefined;
  if (options.authenticate) {
    const id = url.searchParams.get('id');
    const secret = url.searchParams.get('secret');
    if (!id || !secret || !(await options.authenticate(id, secret))) return respond(res, '4.01', 'send ?id=DEVICE&secret=SECRET with valid device credentials');
    device = id;
  }
  const result = await options.ingest(req.payload, { device, via: 'coap' }, 1);
  if (result.accepted) respond(res, '2.04', '');
  else respond(res, '4.00', result.reason);
}

function respond(res: OutgoingMessage, code: string, message: string): void {
  res.code = code;
  res.end(message);
}
