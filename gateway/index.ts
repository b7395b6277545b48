// gateway/: the edge gateway, in-process or as its own process (`twinbed gateway --config gateway.yaml`).
export { Gateway, addGatewayCounters, zeroGatewayCounters, type GatewayOptions, type GatewayCounters } from './gateway';
export { GatewayConfigSchema, ProcessingSchema, loadGatewayConfig, type GatewayConfig, type GatewayConfigInput } from './config';
export type { DeviceAuthenticator, Ingest, IngestRoute, IngestResult } from './device-auth';
export { jsonBatch } from './http-ingest';
export * from './security';
export * from './store';
export type { StreamBytes } from './stream-bytes';
export { GatewayMetrics, startMetricsServer, MetricsConfigSchema, type MetricsConfig, type MetricsServer } from './metrics';
export * from './model';
export {
  PipelineSchema,
  PipelinesSchema,
  SensorPipeline,
  pipelineFor,
  defaultPipelineFor,
  PER_BLOCK_PIPELINE,
  VIBRATION_PIPELINE,
  SLOW_PIPELINE,
  encodeRawBlock,
  decodeRawBlock,
  nodeGzip,
  RawRing,
  RealFft,
  windowTable,
  DspError,
  type PipelineConfig,
  type PipelineConfigInput,
  type PipelineOutput,
  type RawUplinkConfig,
  type RawEncoding,
} from './dsp';
export { EdgeProcessor, type EdgeProcessorOptions, type LocalCommand, type Processed } from './edge-processor';
export { ActionSchema, AnomalySchema, resolveAnomalyPaths, type ActionConfig, type AnomalyConfig } from './edge-config';
