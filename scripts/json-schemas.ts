import { z } from 'zod';
import { GatewayConfigSchema } from '../gateway';
import { ScenarioSchema, TargetSchema } from '../scenarios';
import { ProxyImpairmentsFileSchema } from '../sim';

/** JSON Schema documents by the repository path they are committed at. */
export function jsonSchemas(): Record<string, object> {
  const emit = (schema: z.ZodType, title: string, id: string) => ({
    $id: id,
    title,
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
  });
  return {
    'scenarios/scenario.schema.json': emit(ScenarioSchema, 'twinbed scenario', 'https://twinbed.dev/schemas/scenario.schema.json'),
    'scenarios/target.schema.json': emit(TargetSchema, 'twinbed target', 'https://twinbed.dev/schemas/target.schema.json'),
    'gateway/gateway.schema.json': emit(GatewayConfigSchema, 'twinbed gateway config', 'https://twinbed.dev/schemas/gateway.schema.json'),
    'sim/proxy/impairments.schema.json': emit(ProxyImpairmentsFileSchema, 'twinbed proxy impairments', 'https://twinbed.dev/schemas/impairments.schema.json'),
  };
}
