// gateway/dsp/: per-sensor preprocessing (stages → windows → features) and the raw ring; the raw-block codec is in
// protocol/ (the web decodes what the gateway encodes), re-exported here.
// Platform-free.
export {
  PipelineSchema,
  PipelinesSchema,
  StageSchema,
  WindowSchema,
  FeaturesConfigSchema,
  DeadbandSchema,
  RawUplinkSchema,
  STAT_NAMES,
  DEFAULT_STATS,
  type StatName,
  type StageConfig,
  type WindowConfig,
  type FeaturesConfig,
  type EnvelopeConfig,
  type DeadbandConfig,
  type RawUplinkConfig,
  type PipelineConfig,
  type PipelineConfigInput,
} from './pipeline-config';
export { SensorPipeline, restartGapBlocks, type PipelineOutput, type PipelineTarget, type SensorPipelineOptions } from './sensor-pipeline';
export { UplinkPolicy, type UplinkPolicyOptions } from './uplink-policy';
export { Resequencer, type Sequenced, type Resequenced } from './resequencer';
export { defaultPipelineFor, pipelineFor, VIBRATION_PIPELINE, SLOW_PIPELINE, PER_BLOCK_PIPELINE, SLOW_SENSOR_MAX_RATE_HZ } from './default-pipelines';
export { StageChain, type RejectCode, type ChainResult, type Rejection } from './stage-chain';
export { BlockWindows, type ClosedWindow, type HeldBlock } from './block-windows';
export { WindowAnalyzer, bandFeatureName } from './window-analyzer';
export { Deadband, type DeadbandReason } from './deadband';
export { encodeRawBlock, decodeRawBlock, RawCodecError, type GzipCodec, type RawEncoding } from '../../protocol';
export { nodeGzip } from '../../sim';
export { RawRing } from './raw-ring';
export { DspError, type DspErrorCode } from './errors';
export { Fft, RealFft, fftPlan, nextPowerOfTwo, isPowerOfTwo } from './fft';
export { BiquadCascade, rbjBiquad, butterworthQs, biquadMagnitude, type BiquadCoefficients, type BiquadKind } from './biquad';
export { HampelFilter, MAD_TO_SIGMA } from './hampel';
export { Decimator, ANTI_ALIAS_FRACTION } from './decimator';
export { windowTable, WindowCache, type WindowFunction, type WindowTable } from './window-functions';
export { windowStats, type WindowStats } from './stats';
export { bandEnergy, topPeaks, refinePeak, type PowerSpectrum, type SpectralPeak } from './spectrum-features';
export { EnvelopeSpectrum } from './envelope';
