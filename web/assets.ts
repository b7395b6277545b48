import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The twinbed package folder, found from this module whether it runs from source or from the dist bundle. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web', 'public'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the twinbed package folder above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
