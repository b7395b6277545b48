import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** Where npm finds `name` from the package at `from`: its own node_modules, then each ancestor's, as Node resolves. */
function resolveIn(from: string, name: string): string | undefined {
  let at = from;
  for (;;) {
    const candidate = at === '' ? `node_modules/${name}` : `${at}/node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (at === '') return undefined;
    const cut = at.lastIndexOf('/node_modules/');
    at = cut < 0 ? '' : at.slice(0, cut);
  }
}

/** The layers that run in the product (the CLI bundle keeps packages external, and the web bundle is built on install). */
const RUNTIME_LAYERS = ['protocol', 'sim', 'ml', 'twins', 'gateway', 'cloud', 'scenarios', 'web', 'cli'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('package-lock.json', () => {
  it('is whole: every dependency any locked package declares (optional ones too) is locked where npm ci will look for it', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
        if (!resolveIn(path, name)) missing.push(`${path || '(root)'} → ${name}`);
      }
    }
    // `npm ci` refuses a lock that lists a package it does not lock ("Missing: … from lock file").
    expect(missing).toEqual([]);
  });

  it('locks exactly what package.json asks for at the root', () => {
    const rootEntry = lock.packages[''] as LockEntry & { devDependencies?: Record<string, string> };
    expect(rootEntry.dependencies).toEqual(pkg.dependencies);
    expect(rootEntry.devDependencies).toEqual(pkg.devDependencies);
  });
});

describe('runtime dependencies', () => {
  it('every package the product imports is a runtime dependency, not a devDependency', () => {
    const wrong = new Map<string, string>();
    const builtins = new Set(builtinModules);
    for (const layer of RUNTIME_LAYERS) {
      for (const file of sourceFiles(join(root, layer))) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+'([^'.][^']*)'|import\(\s*'([^'.][^']*)'\s*\)/g)) {
          const specifier = match[1] ?? match[2]!;
          if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
          const name = packageOf(specifier);
          if (!(name in pkg.dependencies)) wrong.set(name, file.slice(root.length + 1));
        }
      }
    }
    expect(Object.fromEntries(wrong)).toEqual({});
  });
});
