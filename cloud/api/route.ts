import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { formatFieldPath, TwinbedError } from '../../protocol';
import { BadRequestError, PayloadTooLargeError, ResponseSchemaError, RouteDefinitionError } from './errors';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Error statuses a route documents; 400 for bad input is documented by itself when the route takes any input. */
export type ErrorStatus = 400 | 404 | 409;

/** Path parameters and query strings are objects of named fields. */
export type ObjectSchema = z.ZodObject<Record<string, z.ZodType>, z.core.$ZodObjectConfig>;

/** What every error answer carries. */
export const ErrorBodySchema = z
  .object({ error: z.string().describe('What went wrong and what to do about it; for bad input it starts with the field, `from: …`.') })
  .meta({ id: 'Error', description: 'An error answer.' });

/**
 * A success answered with the bytes of a file instead of JSON, as the route's `contentType`: streamed from disk, so
 * an export of any size never sits in memory. `done` runs once the file is sent or the client went away.
 */
export class FileAnswer {
  readonly path: string;
  /** Offered to the client in Content-Disposition (attachment). Default: none. */
  readonly filename?: string;
  /** Runs after the answer, sent or not: remove a temporary file here. */
  readonly done?: () => Promise<void>;

  constructor(path: string, options: { filename?: string; done?: () => Promise<void> } = {}) {
    this.path = path;
    if (options.filename !== undefined) this.filename = options.filename;
    if (options.done) this.done = options.done;
  }
}

/** The `response` of a route that answers a FileAnswer; documented as binary content of the route's contentType. */
export const FileAnswerSchema = z.instanceof(FileAnswer);

/** Media types whose body is JSON: `application/json` and the `+json` suffix (RFC 6839), e.g. application/td+json. */
export function isJsonMediaType(mediaType: string): boolean {
  return /^application\/(?:[\w.-]+\+)?json$/.test(mediaType);
}

/** What a handler gets: its validated parameters, query and body, and where the request came in. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Origin the client used, `http://host:port`, to build absolute links. */
  origin: string;
}

type Parsed<S, Otherwise> = S extends z.ZodType ? z.output<S> : Otherwise;
type NoFields = Record<string, never>;

export interface RouteDefinition<
  P extends ObjectSchema | undefined,
  Q extends ObjectSchema | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI-style path, each parameter in braces: `/api/alerts/{id}/ack`. */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  description?: string;
  tags?: readonly string[];
  /** Unique name of the operation. Default from method and path: `getApiDevicesDeviceLatest`. */
  operationId?: string;
  /** One field per `{name}` of the path, none optional. */
  params?: P;
  query?: Q;
  /** JSON request body. */
  body?: B;
  /** What a success answers; documented, and checked when mountRoutes is told to. */
  response: R;
  /** Status of a success. Default 200. */
  status?: number;
  /** Media type of a success. Default `application/json`; a route answering FileAnswerSchema names its file's type. */
  contentType?: string;
  /** Statuses the handler's typed errors give, each with when; for the OpenAPI document. */
  errors?: Partial<Record<ErrorStatus, string>>;
  handler: (input: RouteInput<Parsed<P, NoFields>, Parsed<Q, NoFields>, Parsed<B, undefined>>) => z.input<R> | Promise<z.input<R>>;
}

/** A defined route, its types erased so that routes of every shape fit one list. */
export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly operationId: string;
  readonly params?: ObjectSchema;
  readonly query?: ObjectSchema;
  readonly body?: z.ZodType;
  readonly response: z.ZodType;
  readonly status: number;
  readonly contentType: string;
  readonly errors: Readonly<Partial<Record<ErrorStatus, string>>>;
  readonly handler: (input: RouteInput<unknown, unknown, unknown>) => unknown;
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A REST route whose inputs and answer are zod schemas: mountRoutes validates the inputs with them and
 * openApiDocument documents the route from them. Checks the path against `params` now, so a mistake fails at startup.
 */
export function defineRoute<
  P extends ObjectSchema | undefined = undefined,
  Q extends ObjectSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType = z.ZodType,
>(definition: RouteDefinition<P, Q, B, R>): Route {
  const { method, path, params } = definition;
  const name = `${method.toUpperCase()} ${path}`;
  if (!path.startsWith('/')) throw new RouteDefinitionError(name, 'the path must start with /');
  if (/[:*?()]/.test(path)) throw new RouteDefinitionError(name, 'write parameters OpenAPI-style, /items/{id}, not :id, and use no wildcards');
  const names = pathParams(path);
  for (const param of names) {
    if (!PARAM_NAME.test(param)) throw new RouteDefinitionError(name, `{${param}} is not a parameter name; use letters, digits and _`);
  }
  const declared = Object.keys(params?.shape ?? {});
  const undeclared = names.filter((param) => !declared.includes(param));
  if (undeclared.length > 0) throw new RouteDefinitionError(name, `declare ${undeclared.map((p) => `{${p}}`).join(', ')} in params`);
  const unused = declared.filter((param) => !names.includes(param));
  if (unused.length > 0) throw new RouteDefinitionError(name, `params ${unused.join(', ')} are not in the path; path parameters only`);
  const contentType = definition.contentType ?? 'application/json';
  const file = (definition.response as z.ZodType) === FileAnswerSchema;
  if (file === isJsonMediaType(contentType)) {
    throw new RouteDefinitionError(
      name,
      file
        ? `a file answer needs the media type of the file in contentType, not ${contentType}`
        : `a JSON answer needs a JSON media type (application/json or …+json), not ${contentType}; answer a FileAnswer for other bytes`,
    );
  }
  for (const param of declared) {
    // [OpenAPI 3.1 §4.8.12.1] a path parameter is always required
    if (params!.shape[param]!.safeParse(undefined).success) throw new RouteDefinitionError(name, `path parameter ${param} cannot be optional or defaulted`);
  }
  return Object.freeze({
    method,
    path,
    summary: definition.summary,
    ...(definition.description ? { description: definition.description } : {}),
    tags: definition.tags ?? [],
    operationId: definition.operationId ?? defaultOperationId(method, path),
    ...(params ? { params } : {}),
    ...(definition.query ? { query: definition.query } : {}),
    ...(definition.body ? { body: definition.body } : {}),
    response: definition.response,
    status: definition.status ?? 200,
    contentType,
    errors: definition.errors ?? {},
    // Sound: mountRoutes passes the handler only what the route's own schemas produced.
    handler: definition.handler as Route['handler'],
  });
}

export interface MountOptions {
  /** HTTP status by TwinbedError code, over the defaults (E_BAD_REQUEST 400, E_NOT_FOUND 404, E_CONFLICT 409, E_PAYLOAD_TOO_LARGE 413). */
  statusByCode?: Readonly<Record<string, number>>;
  /** Check every answer against its route's response schema and answer 500 when it does not match. Default false: it parses every answer (tests turn it on). */
  checkResponses?: boolean;
  /** Largest JSON body accepted, bytes. Default 1 MiB. */
  bodyLimitBytes?: number;
}

const DEFAULT_STATUS: Readonly<Record<string, number>> = { E_BAD_REQUEST: 400, E_NOT_FOUND: 404, E_CONFLICT: 409, E_PAYLOAD_TOO_LARGE: 413 };

/**
 * Serves each route on the router. Bad path parameters, query keys (unknown ones included) and bodies answer 400
 * `{ error: "<field>: <message>" }`; a TwinbedError whose code has a status answers it with its message, any other
 * TwinbedError 500; anything else goes to express's error handling as the bug it is.
 */
export function mountRoutes(router: Router, routes: readonly Route[], options: MountOptions = {}): Router {
  const statusByCode = { ...DEFAULT_STATUS, ...options.statusByCode };
  const parseJson = express.json({ limit: options.bodyLimitBytes ?? 1024 * 1024 });
  const seen = new Map<string, string>();
  for (const route of routes) {
    // /a/{x} and /a/{y} are the same route to a router
    const key = `${route.method} ${route.path.replace(/\{[^}]*\}/g, '{}')}`;
    const other = seen.get(key);
    if (other) throw new RouteDefinitionError(`${route.method.toUpperCase()} ${route.path}`, `it is served already as ${other}`);
    seen.set(key, route.path);

    router[route.method](expressPath(route.path), async (req: Request, res: Response, next: NextFunction) => {
      try {
        const params = route.params ? parseInput(route.params, req.params) : {};
        const query = parseQuery(route.query, req.query);
        const body = route.body ? parseInput(route.body, await readJson(parseJson, req, res), 'body') : undefined;
        const value = await route.handler({ params, query, body, origin: `${req.protocol}://${req.get('host') ?? 'localhost'}` });
        if (options.checkResponses) checkResponse(route, value);
        if (value instanceof FileAnswer) return await sendFile(res, route, value);
        if (route.status === 204) return void res.status(204).end();
        res.status(route.status).type(route.contentType).json(value);
      } catch (error) {
        if (!(error instanceof TwinbedError)) return next(error);
        res.status(statusByCode[error.code] ?? 500).json({ error: error.message });
      }
    });
  }
  return router;
}

/** Streams the file as the answer, then lets its owner clean up, whether it was sent or not. */
async function sendFile(res: Response, route: Route, file: FileAnswer): Promise<void> {
  try {
    const { size } = await stat(file.path);
    // attachment() guesses a type from the file name; the route's own type goes after it.
    if (file.filename !== undefined) res.attachment(file.filename);
    res.status(route.status).type(route.contentType).set('content-length', String(size));
    await pipeline(createReadStream(file.path), res);
  } finally {
    await file.done?.();
  }
}

/** The `{name}` parameters of an OpenAPI-style path, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
}

/** `/api/alerts/{id}/ack` → `/api/alerts/:id/ack`. */
export function expressPath(path: string): string {
  return path.replace(/\{([^}]*)\}/g, ':$1');
}

function defaultOperationId(method: HttpMethod, path: string): string {
  const words = path.split(/[/{}._-]+/).filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** Validates one input; the first issue becomes the 400 message, named by its field (`body` for the body as a whole). */
function parseInput(schema: z.ZodType, value: unknown, root = ''): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new BadRequestError(`${issue.keys.map((key) => formatFieldPath([...issue.path, key])).join(', ')}: unknown field`);
  }
  throw new BadRequestError(`${formatFieldPath(issue.path) || root}: ${issue.message}`);
}

function parseQuery(schema: ObjectSchema | undefined, query: unknown): unknown {
  const given = Object.keys(query as Record<string, unknown>);
  const known = schema ? Object.keys(schema.shape) : [];
  const unknown = given.filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new BadRequestError(`${unknown.join(', ')}: unknown query parameter`);
  return schema ? parseInput(schema, query) : {};
}

type JsonParser = ReturnType<typeof express.json>;

/** Runs express's JSON parser as a step of the handler, so its failures answer like every other bad input. */
function readJson(parseJson: JsonParser, req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve, reject) => {
    parseJson(req, res, (error?: unknown) => {
      if (!error) return resolve(req.body);
      const { type, message } = error as { type?: string; message?: string };
      if (type === 'entity.too.large') reject(new PayloadTooLargeError(message ?? 'request entity too large'));
      else reject(new BadRequestError(`body: ${type === 'entity.parse.failed' ? `not valid JSON (${message})` : message}`));
    });
  });
}

function checkResponse(route: Route, value: unknown): void {
  const result = route.response.safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  throw new ResponseSchemaError(`${route.method.toUpperCase()} ${route.path}`, formatFieldPath(issue.path), issue.message);
}
