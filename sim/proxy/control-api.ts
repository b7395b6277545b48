import http from 'node:http';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { formatFieldPath, suggest, TwinbedError } from '../../protocol';
import { listen } from '../listen';
import { LinkImpairmentSchema, LinkImpairmentShape, NO_IMPAIRMENT, type LinkImpairment } from '../link/index';
import type { ConnectionInfo } from './connection';
import { ProxyError } from './errors';
import type { MqttProxy, MqttProxyCounters, ProxyDirection } from './mqtt-proxy';

/*
 * Run-time control of proxies over HTTP, shaped like Toxiproxy's API so its habits carry over:
 *   GET    /proxies                      every proxy by name: addresses, impairments, counters, connections
 *   GET    /proxies/{name}               one proxy
 *   POST   /proxies/{name}/impairment    {"direction": "up"|"down"|"both", ...LinkImpairment}: replaces the impairment
 *   DELETE /proxies/{name}/impairment    back to no impairment (?direction=up|down, default both)
 *   POST   /proxies/{name}/reset         resets every connection
 * Errors are JSON `{ "error": "…", "issues"?: [{ "field", "message" }] }` with 400, 404, 405 or 413.
 */

export interface ControlApiOptions {
  /** Proxies to control, by their names. */
  proxies: readonly MqttProxy[];
  /** Interface to listen on. Default 127.0.0.1: anyone who reaches the API can cut the link. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Default: silent. */
  logger?: Logger;
}

export interface ControlApi {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

/** One proxy as the API shows it. */
export interface ProxyView {
  name: string;
  listen: string;
  upstream: string;
  impairment: ReturnType<MqttProxy['impairments']>;
  counters: MqttProxyCounters;
  connections: ConnectionInfo[];
}

const DirectionSchema = z.enum(['up', 'down', 'both']).describe('Which link: up (client → broker), down (broker → client) or both. Required.');

const IMPAIRMENT_FIELDS = ['direction', ...Object.keys(LinkImpairmentShape)];

/** Largest request body accepted, bytes. */
const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: Array<{ field: string; message: string }>,
  ) {
    super(message);
  }
}

/** Starts the control API; resolves once it listens. */
export async function startControlApi(options: ControlApiOptions): Promise<ControlApi> {
  const log = options.logger ?? pino({ level: 'silent' });
  const byName = new Map(options.proxies.map((proxy) => [proxy.name, proxy]));
  const server = http.createServer((req, res) => {
    handle(req, byName, log).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        if (error instanceof HttpError) {
          send(res, error.status, error.issues ? { error: error.message, issues: error.issues } : { error: error.message });
          return;
        }
        if (error instanceof TwinbedError && error.code === 'E_LINK_CONFIG') {
          send(res, 400, { error: error.message });
          return;
        }
        log.error({ err: error, method: req.method, url: req.url }, 'control API request failed');
        send(res, 500, { error: (error as Error).message });
      },
    );
  });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const where = await listen(server, port, host).catch((error: NodeJS.ErrnoException) => {
    throw new ProxyError('E_PROXY_LISTEN', `control API cannot listen on ${host}:${port} (${error.code ?? error.message}); pick another port, or 0 for a free one`, { cause: error });
  });
  return {
    host: where.host,
    port: where.port,
    url: `http://${where.urlHost}:${where.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(req: http.IncomingMessage, proxies: Map<string, MqttProxy>, log: Logger): Promise<unknown> {
  const url = new URL(req.url ?? '/', 'http://control');
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, `malformed percent-encoding in ${url.pathname}`);
  }
  if (parts[0] !== 'proxies' || parts.length > 3) throw new HttpError(404, `no route ${url.pathname}; see GET /proxies`);
  if (parts.length === 1) {
    allow(req, 'GET');
    return Object.fromEntries([...proxies.values()].map((proxy) => [proxy.name, view(proxy)]));
  }
  const proxy = proxies.get(parts[1]!);
  if (!proxy) throw new HttpError(404, `no proxy named "${parts[1]}"; known: ${[...proxies.keys()].join(', ') || 'none'}`);
  if (parts.length === 2) {
    allow(req, 'GET');
    return view(proxy);
  }
  switch (parts[2]) {
    case 'impairment': {
      allow(req, 'POST', 'DELETE');
      if (req.method === 'DELETE') {
        const direction = parseDirection(url.searchParams.get('direction') ?? 'both');
        proxy.setImpairment(direction, NO_IMPAIRMENT);
        log.info({ proxy: proxy.name, direction }, 'impairment cleared over the control API');
        return view(proxy);
      }
      const { direction, impairment } = parseImpairmentBody(await readJson(req));
      proxy.setImpairment(direction, impairment);
      log.info({ proxy: proxy.name, direction, impairment }, 'impairment set over the control API');
      return view(proxy);
    }
    case 'reset':
      allow(req, 'POST');
      return { reset: proxy.resetConnections() };
    default:
      throw new HttpError(404, `no route ${url.pathname}; a proxy has /impairment and /reset`);
  }
}

/** Splits and validates `{ direction, ...impairment }`; a 400 names every wrong field. */
function parseImpairmentBody(body: unknown): { direction: ProxyDirection | 'both'; impairment: LinkImpairment } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'expected a JSON object: {"direction": "up"|"down"|"both", ...impairment}');
  const { direction, ...rest } = body as Record<string, unknown>;
  const issues: Array<{ field: string; message: string }> = [];
  const parsedDirection = DirectionSchema.safeParse(direction);
  if (!parsedDirection.success) issues.push({ field: 'direction', message: direction === undefined ? 'required: "up", "down" or "both"' : 'expected "up", "down" or "both"' });
  const parsed = LinkImpairmentSchema.safeParse(rest);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const hint = issue.path.length === 0 ? suggest(key, IMPAIRMENT_FIELDS) : undefined;
          issues.push({ field: formatFieldPath([...issue.path, key]), message: hint ? `unknown field (did you mean "${hint}"?)` : 'unknown field' });
        }
      }
      else issues.push({ field: formatFieldPath(issue.path), message: issue.message });
    }
  }
  if (issues.length > 0 || !parsedDirection.success || !parsed.success) {
    throw new HttpError(400, `invalid impairment: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues);
  }
  return { direction: parsedDirection.data, impairment: parsed.data };
}

function parseDirection(value: string): ProxyDirection | 'both' {
  const parsed = DirectionSchema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `invalid direction "${value}": expected up, down or both`, [{ field: 'direction', message: 'expected "up", "down" or "both"' }]);
  return parsed.data;
}

function view(proxy: MqttProxy): ProxyView {
  return {
    name: proxy.name,
    listen: proxy.url,
    upstream: `${proxy.upstream.host}:${proxy.upstream.port}`,
    impairment: proxy.impairments(),
    counters: proxy.counters(),
    connections: proxy.connections(),
  };
}

function allow(req: http.IncomingMessage, ...methods: string[]): void {
  if (!methods.includes(req.method ?? '')) throw new HttpError(405, `${req.method} is not allowed here; use ${methods.join(' or ')}`);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `body is not JSON: ${(error as Error).message}`);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
