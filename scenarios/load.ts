import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveAnomalyPaths } from '../gateway';
import { ConfigError, parseYamlConfig } from '../protocol';
import { ScenarioSchema, type Scenario } from './schema';

/** Reads and validates a scenario file; a ConfigError names the file, line and field of each problem. */
export async function loadScenario(file: string): Promise<Scenario> {
  return (await readScenario(file)).scenario;
}

/** A scenario with the text it came from, so later checks (against a target) can name lines too. */
export async function readScenario(file: string): Promise<{ scenario: Scenario; source: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the scenario (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  return { scenario: resolvePaths(parseScenario(text, file), path.dirname(file)), source: text };
}

/** Files a scenario names (the anomaly model) are relative to the scenario file, so a library scenario runs from anywhere. */
function resolvePaths(scenario: Scenario, dir: string): Scenario {
  const anomaly = scenario.gateway?.anomaly;
  if (!anomaly) return scenario;
  return { ...scenario, gateway: { ...scenario.gateway!, anomaly: resolveAnomalyPaths(anomaly, dir) } };
}

export function parseScenario(text: string, file = '<scenario>'): Scenario {
  return parseYamlConfig(text, file, ScenarioSchema);
}
