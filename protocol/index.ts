// protocol/: the contract every layer shares. Platform-free: runs in Node and in the browser.
export { TwinbedError, DecodeError, ConfigError, type ConfigIssue } from './errors';
export { TOPIC_ROOT, TRUTH_ROOT, CLOUD_ROOT, IdSchema, topics, filters, parseTopic, type ParsedTopic, type DeviceTopicKind } from './topics';
export * from './messages';
export { upcastFeatures } from './upcast';
export { encodeMessage, decodeMessage, decodeAs, decodeAny, type CodecName } from './codec';
export { bytesToBase64, base64ToBytes } from './base64';
export { formatFieldPath } from './field-path';
export { parseYamlConfig, configErrorAt, suggest, type YamlConfigOptions } from './yaml-config';
export { expandEnv, type EnvProblem } from './env-expand';
export { signMessage, encodeSigned, MAC_BYTES, type MacFunction, type SignableMessage } from './signed';
export { ThresholdRuleSchema, AlertEngine, type ThresholdRule, type RuleInput, type AlertChange } from './threshold-rules';
export { bearingOrders, type BearingGeometry, type BearingOrders } from './bearing-orders';
export { EnergyIntegrator } from './energy-integrator';
export { minimumJerk, pickPlaceStage, liftedLine, yawOf, nominalEffectorAt, type MoveProgress, type PickPlaceStage, type PickPlaceTiming, type PickPlacePath } from './pick-place-path';
export { encodeRawBlock, decodeRawBlock, RawCodecError, type GzipCodec, type RawEncoding } from './raw-codec';
