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
  // The recording thread (scenarios/recording/record-worker.ts), started by the CLI bundle from beside itself.
  build({
    entryPoints: ['scenarios/recording/record-worker.ts'],
    outfile: 'dist/record-worker.js',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
  // The edge worker thread (gateway/edge-worker.ts, processing.thread: worker), started from beside the bundle.
  build({
    entryPoints: ['gateway/edge-worker.ts'],
    outfile: 'dist/edge-worker.js',
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
