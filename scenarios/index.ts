// scenarios/: the scenario format, the runner that drives the whole stack, expectations and reporters.
export {
  ScenarioSchema,
  ExpectationSchema,
  type Scenario,
  type ScenarioInput,
  type Expectation,
} from './schema';
export { loadScenario, readScenario, parseScenario } from './load';
export { startStack, startEmbeddedSystem, startScenarioFleet, runSetting, type Stack, type StackOptions, type EmbeddedSystem, type RunSetting, type SimulatedLink } from './stack';
export { StackControl, LinkTimeline, ControlError, StormSchema, describeImpairment, type StackControlOptions, type ControlResult, type ControlStep, type FaultControl, type SetControl, type StormControl, type LinkStatus, type ClockStatus, type ControlErrorCode } from './control';
export { runScenario, targetOf, type RunOptions, type RunProgress, type RunFleet, type RunDevicesContext } from './runner';
export { buildTimeline, watchedSeries, faultIds, type RunTimeline, type SeriesSpec } from './timeline';
export { evaluate, skippedResult, scenarioNameProblems, featureNames, type ExpectationResult, type RunEvidence, type Judged } from './expectations';
export { METRICS, METRIC_NAMES, thresholdChecks, judgeThreshold, type MetricName, type MetricSpec, type ThresholdCheck } from './thresholds';
export * from './target';
export type { Reporter, RunResult, RunStats, RunInfo } from './reporter';
export { ListReporter, JsonReporter } from './reporters';
export { generateDataset, type GenerateOptions, type GenerateResult, type DatasetFile } from './generate';
export type { DatasetFormat } from './dataset-writer';
export { featureWindows, type FeatureWindowsOptions } from './feature-windows';
export * from './fleet-load';
export { ProgressLine, formatRunProgress, formatWallS, type ProgressStream, type ProgressLineOptions } from './progress-line';
export * from './suite';
export * from './recording';
export { startEmulator, emulatedMachine, openHardware, formatHardwareLine, HardwareBindingSchema, HardwareError, type EmulatorOptions, type RunningEmulator, type HardwareBinding, type HardwareReport } from './hardware';
