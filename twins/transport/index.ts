// twins/transport: how twins reach a broker (any broker) and speak on it: twinbed envelopes, flat JSON or Sparkplug B.
export {
  DeviceConnectionSchema,
  DeviceAuthSchema,
  PayloadFormatSchema,
  DEFAULT_TOPIC,
  DEFAULT_COMMAND_TOPIC,
  type DeviceConnection,
  type DeviceConnectionInput,
  type DeviceAuth,
  type PayloadFormat,
} from './connection-config';
export { TEMPLATE_VARIABLES, expandTemplate, placeholdersOf, templateProblem, topicMatcher, type TemplateVariable, type TemplateValues } from './template';
export type { Dialect, DeviceIdentity, Inbound, OutMessage } from './dialect';
export { TwinbedDialect, commandFrom } from './twinbed-dialect';
export { FlatJsonDialect } from './flat-json-dialect';
export { SparkplugDialect } from './sparkplug-dialect';
export { SparkplugIdError } from './sparkplug/sparkplug-topics';
export { DeviceSession, DeviceConnectError, type DeviceSessionOptions, type SessionConnect, type SensorCounts } from './device-session';
export { TransportStats, reasonName, type TransportSummary } from './transport-stats';
export { ConnectGate } from './connect-gate';
export { dialectFor, sessionConnectFor } from './session-factory';
