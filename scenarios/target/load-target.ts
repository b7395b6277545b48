import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, parseYamlConfig } from '../../protocol';
import { TargetSchema, type Target } from './target-schema';

/** A target and the folder its relative paths (credentials, certificates, SQLite files) start from. */
export interface LoadedTarget {
  target: Target;
  /** The file, or `embedded` for the default. */
  name: string;
  baseDir: string;
}

/** Reads and validates a target file, `${VAR}` expanded from the environment; errors name the file, line and field. */
export async function loadTarget(file: string): Promise<LoadedTarget> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the target file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  return { target: parseYamlConfig(text, file, TargetSchema), name: file, baseDir: path.dirname(path.resolve(file)) };
}
