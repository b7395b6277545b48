import { readFile } from 'node:fs/promises';
import { ConfigError, parseYamlConfig } from '../protocol';
import { ScenarioSchema, type Scenario } from './schema';

/** Reads and validates a scenario file; a ConfigError names the file, line and field of each problem. */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the scenario (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  return parseScenario(text, file);
}

export function parseScenario(text: string, file = '<scenario>'): Scenario {
  return parseYamlConfig(text, file, ScenarioSchema);
}
