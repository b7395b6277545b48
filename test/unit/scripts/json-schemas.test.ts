import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../../../scripts/json-schemas';
import { ROOT } from '../../support/twinbed-process';

describe('committed JSON Schemas', () => {
  it.each(Object.entries(jsonSchemas()))('%s matches its zod schema (run `npm run schemas` after a schema change)', async (file, schema) => {
    expect(JSON.parse(await readFile(`${ROOT}/${file}`, 'utf8'))).toEqual(schema);
  });

  it('documents scenario fields for editors, with units and defaults', () => {
    const scenario = jsonSchemas()['scenarios/scenario.schema.json'] as { properties: Record<string, { description?: string }> };
    expect(scenario.properties.durationS!.description).toBe('Simulated length of the run, seconds.');
    expect(scenario.properties.timeScale!.description).toMatch(/Default `max`/);
  });
});
