// Bundles the CLI for Node and the web front end for the browser. Runs on `npm install` (prepare) and before start/test.
import { build } from 'esbuild';

const started = performance.now();
/** One ESM bundle for Node, its packages left to node_modules. */
const nodeBundle = (entry, outfile) =>
  build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' });

await Promise.all([
  nodeBundle('cli/main.ts', 'dist/twinbed.js'),
  // Worker threads the CLI bundle starts from beside itself (sim/module-worker.ts): recording, and the edge processor.
  nodeBundle('scenarios/recording/record-worker.ts', 'dist/record-worker.js'),
  nodeBundle('gateway/edge-worker.ts', 'dist/edge-worker.js'),
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
  // The HTML report's page: one classic script and one stylesheet (uPlot's included) that the html reporter inlines
  // into a single offline file, so no source map (nothing could load it) and no module (file:// pages stay simple).
  build({
    entryPoints: ['web/report/main.ts'],
    outfile: 'dist/report/report.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    // uPlot's MIT notice travels with every report that embeds it (its own header comment is not a legal comment).
    banner: { js: '/*! uPlot, Copyright (c) 2025 Leon Sorokin, MIT License, https://github.com/leeoniya/uPlot */' },
    logLevel: 'warning',
  }),
]);
process.stdout.write(`twinbed build: dist/ in ${Math.round(performance.now() - started)} ms\n`);
