import { Validator } from '@seriousme/openapi-schema-validator';
import { Router } from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CLOUD_API_INFO, cloudRoutes, defineRoute, mountRoutes, openApiDocument, RouteDefinitionError, type OpenApiDocument } from '../../../../cloud/api';
import { DeviceRegistry } from '../../../../cloud/registry';
import { MemoryRegistryStore } from '../registry/memory-registry-store';
import { fakeCloud, T0 } from './fake-cloud';

// Documents only: no handler runs, so one cloud serves every test.
const cloud = fakeCloud();
afterAll(() => cloud.close());

function routesWithRegistry() {
  const registry = new DeviceRegistry({ store: new MemoryRegistryStore() });
  return cloudRoutes(cloud, { registry, clock: { now: () => T0 }, brokerUrl: 'mqtt://127.0.0.1:1883' });
}

/** "METHOD /path" of every operation in the document. */
function documented(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** "METHOD /path" of every handler express routes to, paths written back in OpenAPI style. */
function served(router: Router): string[] {
  return router.stack
    .flatMap((layer) => {
      const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
      if (!route) return [];
      return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`);
    })
    .sort();
}

/** Every $ref anywhere in a JSON value. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => (key === '$ref' && typeof item === 'string' ? [item] : refs(item)));
}

describe('openApiDocument', () => {
  it('generates a document of the cloud API that validates as OpenAPI 3.1', async () => {
    const document = openApiDocument(routesWithRegistry(), CLOUD_API_INFO);
    const validator = new Validator();
    expect(await validator.validate(structuredClone(document))).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    // The validator does check: the same document with a response lacking its required description fails.
    const broken = structuredClone(document) as { paths: Record<string, { get?: { responses: Record<string, { description?: string }> } }> };
    delete broken.paths['/api/devices']!.get!.responses['200']!.description;
    expect(await new Validator().validate(broken)).toMatchObject({ valid: false });
  });

  it('documents exactly the routes the router serves, with the registry and without', () => {
    for (const routes of [routesWithRegistry(), cloudRoutes(cloud)]) {
      const document = openApiDocument(routes, CLOUD_API_INFO);
      expect(documented(document)).toEqual(served(mountRoutes(Router(), routes)));
    }
    expect(documented(openApiDocument(routesWithRegistry(), CLOUD_API_INFO))).toEqual([
      'GET /api/alert-entries',
      'GET /api/alert-entries/{id}',
      'GET /api/alerts',
      'GET /api/audit',
      'GET /api/dead-letters',
      'GET /api/devices',
      'GET /api/devices/{device}/latest',
      'GET /api/devices/{device}/latest/{sensor}',
      'GET /api/devices/{device}/shadow',
      'GET /api/devices/{device}/td',
      'GET /api/export.parquet',
      'GET /api/models',
      'GET /api/models/{version}',
      'GET /api/openapi.json',
      'GET /api/raw',
      'GET /api/registry',
      'GET /api/rollouts',
      'GET /api/rollouts/{id}',
      'GET /api/rollups',
      'GET /api/series',
      'GET /api/series/page',
      'GET /api/stats',
      'PATCH /api/devices/{device}/shadow/desired',
      'POST /api/alert-entries/{id}/ack',
      'POST /api/alert-entries/{id}/shelve',
      'POST /api/alert-entries/{id}/unshelve',
      'POST /api/commands',
      'POST /api/models',
      'POST /api/models/{version}/stage',
      'POST /api/rollouts',
      'POST /api/rollouts/{id}/cancel',
      'POST /api/rollouts/{id}/resume',
    ]);
    expect(documented(openApiDocument(cloudRoutes(cloud), CLOUD_API_INFO))).not.toContain('GET /api/registry');
  });

  it('keeps each named schema once under components.schemas, and every $ref resolves there', () => {
    const document = openApiDocument(routesWithRegistry(), CLOUD_API_INFO);
    expect(Object.keys(document.components.schemas).sort()).toEqual([
      'AcknowledgeRequest',
      'AlertEntry',
      'AlertEntryPage',
      'AlertRecord',
      'AlertTransition',
      'AuditEntry',
      'AuditEntryPage',
      'CancelRolloutRequest',
      'CloudStats',
      'CommandAccepted',
      'CommandRequest',
      'CommandV1',
      'DeadLetter',
      'DeadLetterPage',
      'DesiredPatch',
      'DesiredUpdate',
      'DeviceSummary',
      'Error',
      'FeatureRecord',
      'FeatureRecordPage',
      'GatewayRolloutStatus',
      'LatestReadings',
      'ModelInfo',
      'ModelInfoPage',
      'ModelManifest',
      'OpenApiDocument',
      'RawRecord',
      'RawRecordPage',
      'RegistryEntry',
      'RolloutSpec',
      'RolloutStatus',
      'RolloutStatusPage',
      'Rollup',
      'RollupPage',
      'Shadow',
      'ShelveRequest',
      'StageRequest',
      'StorageCounts',
      'ThingDescription',
      'TrainRequest',
      'UnshelveRequest',
    ]);
    for (const ref of refs(document)) expect(document.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    expect(JSON.stringify(document)).not.toContain('$defs');
    const series = document.paths['/api/series']!.get as { responses: { 200: { content: { 'application/json': { schema: unknown } } } } };
    expect(series.responses[200].content['application/json'].schema).toEqual({ type: 'array', items: { $ref: '#/components/schemas/FeatureRecord' } });
    expect(document.components.schemas.LatestReadings).toMatchObject({ properties: { sensors: { additionalProperties: { $ref: '#/components/schemas/FeatureRecord' } } } });
  });

  it('documents parameters as clients send them: coerced numbers as numbers, only required ones required, with their descriptions', () => {
    const document = openApiDocument(routesWithRegistry(), CLOUD_API_INFO);
    const series = document.paths['/api/series']!.get as { parameters: { name: string; in: string; required: boolean; description?: string; schema: Record<string, unknown> }[] };
    expect(series.parameters.map((p) => [p.name, p.in, p.required, p.schema.type])).toEqual([
      ['device', 'query', true, 'string'],
      ['sensor', 'query', true, 'string'],
      ['from', 'query', false, 'number'],
      ['to', 'query', false, 'number'],
      ['limit', 'query', false, 'integer'],
    ]);
    expect(series.parameters[2]!.description).toBe('Earliest event time, inclusive, ms since the Unix epoch.');
    expect(series.parameters[4]!.schema).toMatchObject({ minimum: 1, maximum: 100_000 });
    const latest = document.paths['/api/devices/{device}/latest/{sensor}']!.get as { parameters: { name: string; in: string; required: boolean }[] };
    expect(latest.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['device', 'path', true],
      ['sensor', 'path', true],
    ]);
  });

  it('documents 400 on routes that take input, the errors each route declares, and the media type of its answer', () => {
    const document = openApiDocument(routesWithRegistry(), CLOUD_API_INFO);
    const responses = (path: string, method: string) => (document.paths[path]![method] as { responses: Record<string, { content?: Record<string, unknown> }> }).responses;
    expect(Object.keys(responses('/api/devices', 'get'))).toEqual(['200']);
    expect(Object.keys(responses('/api/devices/{device}/shadow/desired', 'patch'))).toEqual(['200', '400', '404', '409']);
    expect(Object.keys(responses('/api/devices/{device}/td', 'get')['200']!.content!)).toEqual(['application/td+json']);
    expect(responses('/api/devices/{device}/shadow', 'get')['404']!.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Error' } } });
    const patch = document.paths['/api/devices/{device}/shadow/desired']!.patch as { requestBody: unknown };
    expect(patch.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/DesiredPatch' } } } });
  });

  it('documents a file answer as binary content of its media type, with no schema', () => {
    const document = openApiDocument(routesWithRegistry(), CLOUD_API_INFO);
    const parquet = document.paths['/api/export.parquet']!.get as { responses: Record<string, { content?: Record<string, unknown> }> };
    expect(parquet.responses['200']!.content).toEqual({ 'application/vnd.apache.parquet': {} });
    expect(parquet.responses['400']!.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Error' } } });
  });

  it('documents actions whose body is all optional as taking an optional body, and the success status of each', () => {
    const document = openApiDocument(routesWithRegistry(), CLOUD_API_INFO);
    const operation = (path: string) => document.paths[path]!.post as { requestBody?: { required: boolean }; responses: Record<string, unknown> };
    expect(operation('/api/alert-entries/{id}/ack').requestBody?.required).toBe(false);
    expect(operation('/api/rollouts/{id}/cancel').requestBody?.required).toBe(false);
    expect(operation('/api/alert-entries/{id}/shelve').requestBody?.required).toBe(true);
    expect(operation('/api/rollouts/{id}/resume').requestBody).toBeUndefined();
    expect(Object.keys(operation('/api/commands').responses)).toEqual(['202', '400', '404']);
    expect(Object.keys(operation('/api/models').responses)).toEqual(['201', '400', '404', '409']);
    expect(Object.keys(operation('/api/rollouts').responses)).toEqual(['201', '400', '404', '409']);
  });

  it('names the input form of a schema <id>Input when it differs from the answer form', () => {
    const Gadget = z.object({ name: z.string(), colour: z.string().default('grey') }).meta({ id: 'TestGadget' });
    const route = defineRoute({ method: 'post', path: '/gadgets', summary: 'Make one', body: Gadget, response: Gadget, handler: ({ body }) => body });
    const document = openApiDocument([route], { title: 't', version: '1' });
    expect(document.components.schemas.TestGadget).toMatchObject({ required: ['name', 'colour'] });
    expect(document.components.schemas.TestGadgetInput).toMatchObject({ required: ['name'] });
    expect(refs(document.paths['/gadgets']!.post)).toEqual(['#/components/schemas/TestGadgetInput', '#/components/schemas/TestGadget', '#/components/schemas/Error']);
  });

  it('refuses two different schemas under one id, and two routes under one operationId', () => {
    const handler = () => ({ a: 1 });
    const one = defineRoute({ method: 'get', path: '/one', summary: 's', response: z.object({ a: z.number() }).meta({ id: 'TestSame' }), handler });
    const two = defineRoute({ method: 'get', path: '/two', summary: 's', response: z.object({ a: z.number(), b: z.string().optional() }).meta({ id: 'TestSame' }), handler });
    expect(() => openApiDocument([one, two], { title: 't', version: '1' })).toThrow(RouteDefinitionError);
    const three = defineRoute({ method: 'get', path: '/three', operationId: 'getOne', summary: 's', response: z.object({}), handler: () => ({}) });
    expect(() => openApiDocument([one, three], { title: 't', version: '1' })).toThrow('GET /three: operationId getOne is taken');
  });
});
