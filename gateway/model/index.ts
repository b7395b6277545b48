// gateway/model/: the edge anomaly model — fit (PCA residual), ONNX export, ONNX Runtime, TS reference, model slot, detector.
export {
  ModelFitError,
  ModelValidationError,
  ModelSignatureError,
  ModelKeyError,
  FeatureVectorError,
  ModelSlotError,
  ModelRunError,
  ModelFormatError,
  ModelCommandError,
  type ValidationCheck,
} from './errors';
// Building and reading models lives in ml/ (the cloud fits them too); re-exported so the gateway's door stays whole.
export {
  fitPcaModel,
  principalComponents,
  chooseComponents,
  PcaFitOptionsSchema,
  MAX_FEATURES,
  AUTO_LOG_SKEWNESS,
  symmetricEigen,
  percentile,
  summariseScores,
  ReferenceScorer,
  exportPcaOnnx,
  sha256Hex,
  writeOnnxFile,
  TWINBED_FORMAT,
  INPUT_NAME,
  OUTPUT_NAME,
  inspectOnnx,
  featureVector,
  packWindows,
  trainingSet,
  ModelManifestSchema,
  modelManifest,
  type PcaModel,
  type PcaParams,
  type PcaFitStats,
  type PcaFitOptions,
  type PcaFitOptionsInput,
  type FeatureTransform,
  type LogSelection,
  type SymmetricEigen,
  type ScoreSummary,
  type OnnxExportOptions,
  type OnnxInspection,
  type TwinbedModelInfo,
  type FeatureMap,
  type TrainingSet,
  type ModelManifest,
} from '../../ml';
export { OnnxRunner, InputSpecSchema, RunnerOptionsSchema, type InputSpec, type InputSpecInput, type RunnerOptionsInput } from './onnx-runner';
export { compareWithReference, compareScores, PARITY_TOLERANCE, type ParityReport, type BatchScorer } from './parity';
export { StageOptionsSchema, type StageOptionsInput } from './model-validation';
export {
  ModelKeyring,
  TrustedKeySchema,
  TrustedKeysSchema,
  readTrustedKeys,
  resolveTrustedKeyPaths,
  signatureFileOf,
  verifyModelFile,
  type TrustedKey,
} from './model-signature';
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
