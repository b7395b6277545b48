import { createServer } from 'node:http';
import express, { Router } from 'express';
import { mountRoutes, type MountOptions, type Route } from '../../../../cloud/api';
import { listen } from '../../../../sim';

export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
}

export interface ServedRoutes {
  readonly url: string;
  readonly router: Router;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<Answer>;
  /** A GET whose answer is kept as bytes, with its headers. */
  bytes(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }>;
  close(): Promise<void>;
}

/** Serves routes over loopback HTTP the way the web server does (an express app using the mounted router). */
export async function serveRoutes(routes: readonly Route[], options: MountOptions = {}): Promise<ServedRoutes> {
  const router = mountRoutes(Router(), routes, options);
  const app = express();
  app.use(router);
  const server = createServer(app);
  const where = await listen(server, 0, '127.0.0.1');
  const url = `http://${where.urlHost}:${where.port}`;
  return {
    url,
    router,
    async request(method, path, body, contentType = 'application/json') {
      const init: RequestInit = { method };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers = { 'content-type': contentType };
      }
      const response = await fetch(new URL(path, url), init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (express's own error pages): kept as text
      }
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: parsed };
    },
    async bytes(path) {
      const response = await fetch(new URL(path, url));
      return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
