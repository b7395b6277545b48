// Bundles the CLI for Node and the web front end for the browser. Runs on `npm install` (prepare) and before start/test.
import { build } from 'esbuild';

const started = performance.now();
await Promise.all([
  build({
    entryPoints: ['cli/main.ts'],
    outfile: 'dist/twinbed.js',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
  build({
    entryPoints: ['web/client/main.ts'],
    outfile: 'dist/web/app.js',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  }),
]);
process.stdout.write(`twinbed build: dist/ in ${Math.round(performance.now() - started)} ms\n`);
