import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { encodeMessage } from '../protocol';
import { listen } from '../sim';
import type { DeviceAuthenticator, Ingest } from './device-auth';

/** Largest request body accepted, bytes: a batch of a few hundred 4 KB blocks. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HttpIngestServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * HTTP batch ingestion: `POST /v1/ingest` with a JSON array of telemetry envelopes (or one envelope, JSON or CBOR),
 * authenticated with HTTP Basic as the device (the same credentials as MQTT). Each envelope goes through the same
 * ingest path as an MQTT message; the response lists what was accepted and why anything was rejected.
 */
export async function startHttpIngest(options: {
  host: string;
  port: number;
  ingest: Ingest;
  authenticate?: DeviceAuthenticator;
}): Promise<HttpIngestServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => reply(res, 500, { error: (error as Error).message }));
  });
  const { urlHost, port } = await listen(server, options.port, options.host);
  return {
    url: `http://${urlHost}:${port}/v1/ingest`,
    close: () => closeServer(server),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: Parameters<typeof startHttpIngest>[0]): Promise<void> {
  if (req.url !== '/v1/ingest') return reply(res, 404, { error: 'POST telemetry envelopes to /v1/ingest' });
  if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' });
  const device = await authenticatedDevice(req, options.authenticate);
  if (device === null) {
    res.setHeader('www-authenticate', 'Basic realm="twinbed"');
    return reply(res, 401, { error: 'send the device id and secret with HTTP Basic authentication' });
  }
  const body = await readBody(req);
  if (body === undefined) return reply(res, 413, { error: `request body over ${MAX_BODY_BYTES} bytes; send smaller batches` });
  let items: Buffer[];
  try {
    items = splitBatch(body, req.headers['content-type'] ?? '');
  } catch (error) {
    return reply(res, 400, { error: (error as Error).message });
  }
  const rejected: { index: number; reason: string }[] = [];
  let accepted = 0;
  for (const [index, payload] of items.entries()) {
    const result = await options.ingest(payload, { device, via: 'http' }, 1);
    if (result.accepted) accepted++;
    else rejected.push({ index, reason: result.reason });
  }
  reply(res, rejected.length && !accepted ? 400 : 200, { accepted, rejected });
}

/** The device the request authenticates as; undefined when the site is open; null when the credentials fail. */
async function authenticatedDevice(req: IncomingMessage, authenticate: DeviceAuthenticator | undefined): Promise<string | undefined | null> {
  if (!authenticate) return undefined;
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  const device = decoded.slice(0, colon);
  return (await authenticate(device, decoded.slice(colon + 1))) ? device : null;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON array is a batch (each element re-encoded as its own JSON payload); anything else is one message. */
function splitBatch(body: Buffer, contentType: string): Buffer[] {
  if (contentType.includes('json') || body[0] === 0x5b) {
    const text = body.toString('utf8').trim();
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new Error(`body is not valid JSON (${(error as Error).message})`, { cause: error });
      }
      return (parsed as unknown[]).map((item) => Buffer.from(JSON.stringify(item)));
    }
  }
  return [body];
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Encodes envelopes as the JSON batch body HTTP ingestion takes (for clients and tests). */
export function jsonBatch(envelopes: Parameters<typeof encodeMessage>[0][]): string {
  return `[${envelopes.map((e) => Buffer.from(encodeMessage(e, 'json')).toString('utf8')).join(',')}]`;
}
