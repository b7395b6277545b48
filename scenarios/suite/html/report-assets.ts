import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TwinbedError } from '../../../protocol';
import type { ReportAssets } from './render-html';

/** Where `node scripts/build.mjs` writes the report page, relative to the package folder. */
const BUILT = ['dist', 'report'] as const;

/** The HTML report's page is missing: twinbed was not built. */
export class ReportAssetsError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_REPORT_ASSETS', message, options);
  }
}

/**
 * Reads the built page script and stylesheet. Found from this module upwards, so it works from the sources (tsx,
 * vitest) and from the CLI bundle in dist/ alike.
 */
export async function loadReportAssets(from: string = fileURLToPath(import.meta.url)): Promise<ReportAssets> {
  const dir = findBuiltDir(from);
  if (!dir) {
    throw new ReportAssetsError(`the HTML report's page is not built (no ${BUILT.join('/')}/report.js above ${dirname(from)}): run \`npm run build\``);
  }
  const [script, css] = await Promise.all([readFile(join(dir, 'report.js'), 'utf8'), readFile(join(dir, 'report.css'), 'utf8')]).catch((cause: unknown) => {
    throw new ReportAssetsError(`cannot read the HTML report's page in ${dir}: ${(cause as Error).message}; run \`npm run build\``, { cause });
  });
  return { script, css };
}

function findBuiltDir(from: string): string | undefined {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, ...BUILT);
    if (existsSync(join(candidate, 'report.js'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
