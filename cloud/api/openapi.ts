import { z } from 'zod';
import { RouteDefinitionError } from './errors';
import { ErrorBodySchema, FileAnswerSchema, pathParams, type ObjectSchema, type Route } from './route';

export type OpenApiInfo = {
  title: string;
  /** Version of the API (not of OpenAPI), e.g. `0.1.0`. */
  version: string;
  description?: string;
};

export type JsonSchema = Record<string, unknown>;

/** An OpenAPI 3.1 document; paths by path, then by lower-case method. */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: OpenApiInfo;
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema> };
};

const BAD_INPUT = 'Invalid input: the error names the path parameter, query key or body field and what is wrong with it.';

/**
 * The OpenAPI 3.1.0 document of the routes, generated from the zod schemas mountRoutes validates with: inputs as
 * they are sent (io input: a coerced number is a number, a default is optional), answers as they are sent back (io
 * output). A schema given an id with `.meta({ id })` is kept once under components.schemas and referenced.
 */
export function openApiDocument(routes: readonly Route[], info: OpenApiInfo): OpenApiDocument {
  const components = new ComponentSchemas();
  // Answers first, so a named schema keeps its own name there; an input form that differs is named `<id>Input`.
  // [OpenAPI 3.1 §4.8.14.3] binary content is named by its media type alone, with an empty Media Type Object.
  const answers = routes.map((route) => (route.response === FileAnswerSchema ? undefined : components.add(route.response, 'output')));
  const error = components.add(ErrorBodySchema, 'output');

  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  routes.forEach((route, i) => {
    const name = `${route.method.toUpperCase()} ${route.path}`;
    if (operationIds.has(route.operationId)) throw new RouteDefinitionError(name, `operationId ${route.operationId} is taken; give this route its own`);
    operationIds.add(route.operationId);

    const parameters = [...parametersOf(components, route.params, 'path', pathParams(route.path)), ...parametersOf(components, route.query, 'query')];
    const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
    const responses: Record<string, JsonSchema> = {
      [String(route.status)]:
        route.status === 204
          ? { description: descriptionOf(route.response) ?? 'Done.' }
          : { description: descriptionOf(route.response) ?? route.summary, content: { [route.contentType]: answers[i] ? { schema: answers[i] } : {} } },
    };
    if (route.params || route.query || route.body) responses['400'] = errorAnswer(BAD_INPUT);
    for (const [status, description] of Object.entries(route.errors)) responses[status] = errorAnswer(description);

    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.tags.length > 0 ? { tags: [...route.tags] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: components.add(route.body, 'input') } } } }
        : {}),
      responses,
    };
    (paths[route.path] ??= {})[route.method] = operation;
  });

  const tags = [...new Set(routes.flatMap((route) => route.tags))].map((name) => ({ name }));
  return { openapi: '3.1.0', info: { ...info }, tags, paths, components: { schemas: components.schemas } };
}

/** [OpenAPI 3.1 §4.8.12] one Parameter Object per field of a params or query schema. */
function parametersOf(components: ComponentSchemas, schema: ObjectSchema | undefined, where: 'path' | 'query', order?: readonly string[]): JsonSchema[] {
  if (!schema) return [];
  const json = components.resolve(components.add(schema, 'input'));
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  const names = order ?? Object.keys(properties);
  return names.map((name) => {
    const { description, ...fieldSchema } = properties[name] ?? {};
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

function descriptionOf(schema: z.ZodType): string | undefined {
  return z.globalRegistry.get(schema)?.description;
}

/**
 * The components.schemas being built. zod puts each named schema under `$defs` of the schema that uses it; they are
 * lifted here, and refs rewritten to `#/components/schemas/<name>`.
 */
class ComponentSchemas {
  readonly schemas: Record<string, JsonSchema> = {};

  /** The JSON Schema of `schema`, its named parts moved to the components; the root itself stays inline or a $ref. */
  add(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const generated = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = generated;
    const defs = ($defs ?? {}) as Record<string, JsonSchema>;
    const names = this.#nameDefs(defs, io);
    for (const [id, def] of Object.entries(defs)) this.schemas[names.get(id)!] = rewriteRefs(def, names) as JsonSchema;
    return rewriteRefs(root, names) as JsonSchema;
  }

  /** Follows a root $ref to the component it names. */
  resolve(json: JsonSchema): JsonSchema {
    const ref = json.$ref;
    if (typeof ref !== 'string') return json;
    return this.schemas[ref.slice('#/components/schemas/'.length)] ?? json;
  }

  /**
   * A component name per $defs id: the id itself unless a different schema holds it; then, for input, `<id>Input`.
   * Repeated until stable, since renaming one def changes the text of those that refer to it.
   */
  #nameDefs(defs: Record<string, JsonSchema>, io: 'input' | 'output'): Map<string, string> {
    const names = new Map(Object.keys(defs).map((id) => [id, id]));
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, def] of Object.entries(defs)) {
        const name = names.get(id)!;
        const held = this.schemas[name];
        if (!held || sameJson(held, rewriteRefs(def, names))) continue;
        if (io === 'output' || name !== id) {
          throw new RouteDefinitionError(id, `two different schemas are named ${id}; give one of them another id in .meta({ id })`);
        }
        names.set(id, `${id}Input`);
        changed = true;
      }
    }
    return names;
  }
}

function rewriteRefs(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonSchema = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')) {
      const id = item.slice('#/$defs/'.length);
      out[key] = `#/components/schemas/${names.get(id) ?? id}`;
    } else {
      out[key] = rewriteRefs(item, names);
    }
  }
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
