import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { IdSchema, TwinbedError } from '../../../../protocol';
import { defineRoute, FileAnswer, FileAnswerSchema, mountRoutes, NotFoundError, REGISTRY_ERROR_STATUS, RouteDefinitionError, type Route } from '../../../../cloud/api';
import { ShadowConflictError, ShadowPatchError } from '../../../../cloud/registry';
import { serveRoutes, type ServedRoutes } from './serve-routes';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-route-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Files the /files route answered, and whether their `done` ran. */
const answered: { file: string; done: boolean }[] = [];

const Item = z.object({ id: z.string(), limit: z.number().nullable(), verbose: z.enum(['yes', 'no']) });

const routes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/items/{id}',
    summary: 'An item',
    params: z.object({ id: IdSchema }),
    query: z.object({ limit: z.coerce.number().int().min(1).optional(), verbose: z.enum(['yes', 'no']).default('no') }),
    response: Item,
    handler: ({ params, query }) => ({ id: params.id, limit: query.limit ?? null, verbose: query.verbose }),
  }),
  defineRoute({
    method: 'post',
    path: '/items/{id}/notes',
    summary: 'Add a note',
    params: z.object({ id: IdSchema }),
    body: z.object({ text: z.string().min(1), tags: z.array(z.string().min(1)).optional() }).strict(),
    response: z.object({ id: z.string(), text: z.string(), tags: z.array(z.string()) }),
    status: 201,
    handler: ({ params, body }) => ({ id: params.id, text: body.text, tags: body.tags ?? [] }),
  }),
  defineRoute({
    method: 'get',
    path: '/fail/{kind}',
    summary: 'Throws the error it is asked for',
    params: z.object({ kind: z.enum(['missing', 'conflict', 'patch', 'other']) }),
    response: z.object({}),
    handler: ({ params }) => {
      if (params.kind === 'missing') throw new NotFoundError('no item "x"; list them at /items');
      if (params.kind === 'conflict') throw new ShadowConflictError('pump-1', 3, 5);
      if (params.kind === 'patch') throw new ShadowPatchError('pump-1', 'desired.speedRpm', 'expected a number');
      throw new TwinbedError('E_SOMETHING', 'something the API has no status for');
    },
  }),
  defineRoute({
    method: 'get',
    path: '/files/{name}',
    summary: 'A file, removed once sent',
    params: z.object({ name: IdSchema }),
    response: FileAnswerSchema,
    contentType: 'application/x-thing',
    handler: ({ params }) => {
      const file = path.join(dir, params.name);
      if (params.name !== 'gone') writeFileSync(file, Buffer.from(`PAR1 ${params.name} PAR1`));
      const record = { file, done: false };
      answered.push(record);
      return new FileAnswer(file, {
        filename: `${params.name}.thing`,
        done: async () => {
          rmSync(file, { force: true });
          record.done = true;
        },
      });
    },
  }),
  defineRoute({ method: 'get', path: '/wrong', summary: 'Breaks its schema', response: z.object({ n: z.number() }), handler: () => ({ n: 'seven' }) as unknown as { n: number } }),
  defineRoute({
    method: 'get',
    path: '/thing',
    summary: 'A TD',
    response: z.object({ title: z.string() }),
    contentType: 'application/td+json',
    handler: () => ({ title: 'pump-1' }),
  }),
];

describe('mountRoutes', () => {
  let served: ServedRoutes;
  beforeAll(async () => {
    served = await serveRoutes(routes, { statusByCode: REGISTRY_ERROR_STATUS, checkResponses: true, bodyLimitBytes: 1024 });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('hands the handler its inputs as the schemas produce them: path parameter, coerced number, default', async () => {
    expect(await served.request('GET', '/items/pump-1?limit=5')).toMatchObject({ status: 200, body: { id: 'pump-1', limit: 5, verbose: 'no' } });
    expect(await served.request('POST', '/items/pump-1/notes', { text: 'oil leak', tags: ['maint'] })).toMatchObject({
      status: 201,
      body: { id: 'pump-1', text: 'oil leak', tags: ['maint'] },
    });
  });

  it('answers 400 naming the path parameter, query key or body field that does not validate', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/items/-pump', undefined, 'id: use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit'],
      ['GET', '/items/pump-1?limit=soon', undefined, 'limit: Invalid input: expected number, received NaN'],
      ['GET', '/items/pump-1?limit=0', undefined, 'limit: Too small: expected number to be >=1'],
      ['GET', '/items/pump-1?verbose=maybe', undefined, 'verbose: Invalid option: expected one of "yes"|"no"'],
      ['POST', '/items/pump-1/notes', { text: '' }, 'text: Too small: expected string to have >=1 characters'],
      ['POST', '/items/pump-1/notes', { text: 'x', tags: ['ok', ''] }, 'tags[1]: Too small: expected string to have >=1 characters'],
      ['POST', '/items/pump-1/notes', { text: 'x', colour: 'red' }, 'colour: unknown field'],
      ['POST', '/items/pump-1/notes', undefined, 'body: Invalid input: expected object, received undefined'],
    ];
    for (const [method, path, body, error] of cases) {
      expect({ path, body, answer: await served.request(method, path, body) }).toEqual({ path, body, answer: { status: 400, contentType: expect.stringMatching(/^application\/json/), body: { error } } });
    }
  });

  it('rejects query keys the route does not take, naming them, also on a route that takes none', async () => {
    expect(await served.request('GET', '/items/pump-1?limt=5&verbos=yes')).toMatchObject({ status: 400, body: { error: 'limt, verbos: unknown query parameter' } });
    expect(await served.request('GET', '/thing?cache=1')).toMatchObject({ status: 400, body: { error: 'cache: unknown query parameter' } });
  });

  it('answers 400 for a body that is not JSON and 413 for one over the limit', async () => {
    const broken = await served.request('POST', '/items/pump-1/notes', '{"text": "oil', 'application/json');
    expect(broken).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^body: not valid JSON/) } });
    const big = await served.request('POST', '/items/pump-1/notes', { text: 'x'.repeat(2000) });
    expect(big).toMatchObject({ status: 413, body: { error: expect.stringMatching(/^body: .*send less at a time$/) } });
  });

  it('answers typed errors with the status of their code and their message; a TwinbedError with no status is a 500', async () => {
    expect(await served.request('GET', '/fail/missing')).toMatchObject({ status: 404, body: { error: 'no item "x"; list them at /items' } });
    expect(await served.request('GET', '/fail/conflict')).toMatchObject({ status: 409, body: { error: expect.stringMatching(/^the shadow of pump-1 is at version 5, not 3/) } });
    expect(await served.request('GET', '/fail/patch')).toMatchObject({ status: 400, body: { error: 'desired.speedRpm: expected a number' } });
    expect(await served.request('GET', '/fail/other')).toMatchObject({ status: 500, body: { error: 'something the API has no status for' } });
  });

  it('answers with the route status and media type', async () => {
    expect(await served.request('GET', '/thing')).toEqual({ status: 200, contentType: 'application/td+json; charset=utf-8', body: { title: 'pump-1' } });
  });

  it('streams a file answer with its media type, length and name, then runs its clean-up', async () => {
    const answer = await served.bytes('/files/export-1');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-thing');
    expect(answer.headers.get('content-length')).toBe(String('PAR1 export-1 PAR1'.length));
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename=export-1.thing');
    expect(answer.bytes.toString()).toBe('PAR1 export-1 PAR1');
    // The client can hold every byte a moment before the server's stream has ended.
    await vi.waitFor(() => expect(answered.at(-1)).toEqual({ file: path.join(dir, 'export-1'), done: true }));
    expect(existsSync(path.join(dir, 'export-1'))).toBe(false);
  });

  it('runs the clean-up of a file answer that cannot be sent, and answers 500', async () => {
    const answer = await served.bytes('/files/gone');
    expect(answer.status).toBe(500);
    await vi.waitFor(() => expect(answered.at(-1)).toEqual({ file: path.join(dir, 'gone'), done: true }));
  });

  it('answers 500 naming the field when, checking answers, a handler answers what its schema rejects', async () => {
    expect(await served.request('GET', '/wrong')).toEqual({
      status: 500,
      contentType: expect.stringMatching(/^application\/json/),
      body: { error: 'GET /wrong answered with n that its response schema rejects (Invalid input: expected number, received string); fix the handler or the schema' },
    });
  });
});

describe('defineRoute and mountRoutes refuse routes they cannot serve or document', () => {
  const response = z.object({});
  const handler = () => ({});

  it.each([
    ['a path parameter missing from params', () => defineRoute({ method: 'get', path: '/a/{id}', summary: 's', response, handler }), /GET \/a\/\{id\}: declare \{id\} in params/],
    ['a param missing from the path', () => defineRoute({ method: 'get', path: '/a', summary: 's', params: z.object({ id: z.string() }), response, handler }), /params id are not in the path/],
    ['an optional path parameter', () => defineRoute({ method: 'get', path: '/a/{id}', summary: 's', params: z.object({ id: z.string().optional() }), response, handler }), /cannot be optional/],
    ['express :name syntax', () => defineRoute({ method: 'get', path: '/a/:id', summary: 's', response, handler }), /write parameters OpenAPI-style/],
    [
      'a file answer served as JSON',
      () => defineRoute({ method: 'get', path: '/a', summary: 's', response: FileAnswerSchema, handler: () => new FileAnswer('/tmp/a') }),
      /GET \/a: a file answer needs the media type of the file in contentType, not application\/json/,
    ],
    ['a JSON answer served as another media type', () => defineRoute({ method: 'get', path: '/a', summary: 's', response, contentType: 'text/csv', handler }), /a JSON answer needs a JSON media type/],
  ])('refuses %s', (_what, define, message) => {
    expect(define).toThrow(RouteDefinitionError);
    expect(define).toThrow(message);
  });

  it('refuses two routes for the same method and path, whatever their parameters are called', () => {
    const a = defineRoute({ method: 'get', path: '/a/{id}', summary: 's', params: z.object({ id: z.string() }), response, handler });
    const b = defineRoute({ method: 'get', path: '/a/{name}', summary: 's', params: z.object({ name: z.string() }), response, handler });
    expect(() => mountRoutes(Router(), [a, b])).toThrow('GET /a/{name}: it is served already as /a/{id}');
    const c = defineRoute({ method: 'delete', path: '/a/{name}', summary: 's', params: z.object({ name: z.string() }), response, handler });
    expect(() => mountRoutes(Router(), [a, c])).not.toThrow();
  });
});
