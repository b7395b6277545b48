// scenarios/: the scenario format, the runner that drives the whole stack, expectations and reporters.
export {
  ScenarioSchema,
  ExpectationSchema,
  type Scenario,
  type ScenarioInput,
  type Expectation,
} from './schema';
export { loadScenario, parseScenario } from './load';
export { startStack, type Stack, type StackOptions } from './stack';
export { runScenario, type RunOptions } from './runner';
export { evaluate, type ExpectationResult, type RunEvidence } from './expectations';
export type { Reporter, RunResult, RunStats, RunInfo } from './reporter';
export { ListReporter, JsonReporter } from './reporters';
export { generateDataset, type GenerateOptions, type GenerateResult, type DatasetFile } from './generate';
export type { DatasetFormat } from './dataset-writer';
export { featureWindows, type FeatureWindowsOptions } from './feature-windows';
