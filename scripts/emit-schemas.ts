// Writes JSON Schema for scenario, target and gateway files from the same zod schemas that validate them, so editors
// autocomplete and check those files. Run `npm run schemas` after changing a schema; a test fails if you forget.
import { writeFile } from 'node:fs/promises';
import { jsonSchemas } from './json-schemas';

for (const [file, schema] of Object.entries(jsonSchemas())) {
  await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
