// gateway/: the edge gateway, in-process or as its own process (`twinbed gateway --config gateway.yaml`).
export { Gateway, type GatewayOptions, type GatewayCounters } from './gateway';
export { GatewayConfigSchema, loadGatewayConfig, type GatewayConfig, type GatewayConfigInput } from './config';
export { blockFeatures, type BlockFeatures } from './features';
export type { DeviceAuthenticator, Ingest, IngestRoute, IngestResult } from './device-auth';
export { jsonBatch } from './http-ingest';
export * from './security';
