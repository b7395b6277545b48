import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` that sits beside the caller: `./name.js` when the caller runs bundled (the CLI's
 * dist/ holds one bundle per worker), or the TypeScript source `./name.ts` through tsx when twinbed runs from source
 * (tests, `tsx` scripts). `here` is the caller's `import.meta.url`.
 */
export function startModuleWorker(here: string, name: string, workerData: unknown): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), { workerData });
  const module = new URL(`./${name}.ts`, here).href;
  const boot = "const { workerData } = require('node:worker_threads'); import(workerData.tsx).then((tsx) => tsx.tsImport(workerData.module, workerData.module));";
  return new Worker(boot, { eval: true, workerData: { ...(workerData as object), tsx: import.meta.resolve('tsx/esm/api'), module } });
}
