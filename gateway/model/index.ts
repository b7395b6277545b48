// gateway/model/: the edge anomaly model — fit (PCA residual), ONNX export, ONNX Runtime, TS reference, model slot, detector.
export { ModelFitError, ModelValidationError, FeatureVectorError, ModelSlotError, ModelRunError, ModelFormatError, ModelCommandError, type ValidationCheck } from './errors';
export {
  fitPcaModel,
  principalComponents,
  chooseComponents,
  PcaFitOptionsSchema,
  MAX_FEATURES,
  type PcaModel,
  type PcaParams,
  type PcaFitStats,
  type PcaFitOptions,
  type PcaFitOptionsInput,
} from './pca-model';
export { AUTO_LOG_SKEWNESS, type FeatureTransform, type LogSelection } from './feature-transform';
export { symmetricEigen, type SymmetricEigen } from './jacobi-eigen';
export { percentile, summariseScores, type ScoreSummary } from './stats';
export { ReferenceScorer } from './reference';
export { exportPcaOnnx, sha256Hex, writeOnnxFile, TWINBED_FORMAT, INPUT_NAME, OUTPUT_NAME, type OnnxExportOptions } from './onnx-export';
export { inspectOnnx, type OnnxInspection, type TwinbedModelInfo } from './onnx-inspect';
export { OnnxRunner, InputSpecSchema, RunnerOptionsSchema, type InputSpec, type InputSpecInput, type RunnerOptionsInput } from './onnx-runner';
export { compareWithReference, compareScores, PARITY_TOLERANCE, type ParityReport, type BatchScorer } from './parity';
export { featureVector, packWindows, type FeatureMap } from './feature-vector';
export { trainingSet, type TrainingSet } from './training-set';
export { ModelManifestSchema, modelManifest, type ModelManifest } from './manifest';
export { StageOptionsSchema, type StageOptionsInput } from './model-validation';
export {
  ModelSlot,
  ModelSlotOptionsSchema,
  type ModelSlotOptionsInput,
  type ModelSource,
  type ModelLease,
  type SlotModel,
  type ModelSummary,
  type SlotStatus,
} from './model-slot';
export { AnomalyDetector, DetectorOptionsSchema, type DetectorOptionsInput, type DetectorVerdict, type LatencySummary } from './anomaly-detector';
export { handleModelCommand, MODEL_ACTIONS, type ModelAction, type ModelCommandOptions, type ModelCommandResult } from './model-command';
