// ml/: building and reading the edge anomaly model — PCA residual fit, ONNX export and inspection, the TS
// reference scorer, the manifest. Pure TypeScript plus onnx-proto: the gateway runs what it builds, and the cloud
// fits it where the stored windows are.
export { ModelFitError, FeatureVectorError, ModelFormatError } from './errors';
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
export { percentile, summariseScores, mean, sampleStd, skewness, type ScoreSummary } from './stats';
export { ReferenceScorer } from './reference';
export { exportPcaOnnx, sha256Hex, writeOnnxFile, TWINBED_FORMAT, INPUT_NAME, OUTPUT_NAME, INIT, META, type OnnxExportOptions } from './onnx-export';
export { inspectOnnx, type OnnxInspection, type TwinbedModelInfo } from './onnx-inspect';
export { featureVector, packWindows, type FeatureMap } from './feature-vector';
export { trainingSet, type TrainingSet } from './training-set';
export { ModelManifestSchema, modelManifest, type ModelManifest } from './manifest';
export { DataType, onnx, boolTensor, doubleTensor, int64Tensor, node, valueInfo, encodeModel, type OnnxModelProto, type OnnxNodeProto, type OnnxTensorProto } from './onnx-builder';
