// sim/: time, randomness and the simulated network that every other layer runs on.
export type { Clock, TimerCallback, Cancel } from './clock';
export { VirtualClock } from './virtual-clock';
export { ScaledRealClock, monotonicWallMs, type ScaledRealClockOptions } from './scaled-real-clock';
export { HeldClock } from './held-clock';
export { Scheduler } from './scheduler';
export { RandomStreams, createRng, type Rng } from './rng';
export { startBroker, type BrokerOptions, type EmbeddedBroker } from './broker';
export { listen, type Listening } from './listen';
export { startModuleWorker } from './module-worker';
export { nodeGzip } from './node-gzip';
export { percentileRank, nearestRankPercentile } from './percentile';
export { connectMqtt, createMqttClient, type ConnectOptions, type MqttClient } from './mqtt-client';
export {
  LinkModel,
  LinkChannel,
  LatencyHistogram,
  type LatencySummary,
  LinkError,
  NO_IMPAIRMENT,
  scheduleLinkChanges,
  planLinkChanges,
  LinkImpairmentSchema,
  LinkScheduleEntrySchema,
  type LinkImpairment,
  type LinkImpairmentInput,
  type LinkVerdict,
  type LinkCounters,
  type LinkChannelCounters,
  type LinkChannelBacklog,
  type LinkScheduleEntry,
  type LinkScheduleEntryInput,
} from './link/index';
export {
  startMqttProxy,
  startControlApi,
  ProxyImpairmentsFileSchema,
  startingImpairments,
  ProxyError,
  type MqttProxy,
  type MqttProxyOptions,
  type MqttProxyCounters,
  type ProxyDirection,
  type LinkCountersSnapshot,
  type ControlApi,
  type ControlApiOptions,
  type ProxyView,
  type ProxyImpairmentsFile,
  type ConnectionInfo,
  type DirectionCountersSnapshot,
} from './proxy/index';
