// scenarios/target: where a scenario runs (twinbed's embedded stack or a system over MQTT) and how it is observed.
export { TargetSchema, EmbeddedTargetSchema, MqttTargetSchema, SkipSchema, type Target, type EmbeddedTargetConfig, type MqttTargetConfig, type Skip } from './target-schema';
export { ObserveSchema, TopicObservationSchema, FieldSourceSchema, type Observe, type TopicObservation, type MappedObservation } from './observe-schema';
export { ObservationLog, type ObservedAlert, type ObservedCommand, type ObservedReply, type Coverage } from './observation';
export { Observer, topicMatches } from './observer';
export { StoreQuerySchema, openStoreProbe, StoreProbeError, type StoreProbe, type StoredCount, type StoreQuery } from './store-probe';
export { planRun, type PlannedExpectation } from './plan';
export { loadTarget, type LoadedTarget } from './load-target';
export { EmbeddedTarget, linkBacklog } from './embedded-target';
export { MqttTarget } from './mqtt-target';
export { TWINBED_OBSERVATION } from './builtin-observation';
export type { BarrierFleet, RunningTarget, SettleOutcome, TargetFigures } from './running-target';
