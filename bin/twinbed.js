#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run by `npm install`); point at the bundle, with a hint if it is missing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/twinbed.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(`twinbed: ${bundle} is missing; run \`npm run build\` in the twinbed folder first.\n`);
  process.exit(2);
}
await import(bundle);
