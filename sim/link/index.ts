// sim/link/: the deterministic network link model (a user-space netem), for simulated runs and the TCP proxy.
export {
  LinkImpairmentSchema,
  LinkImpairmentShape,
  LinkImpairmentOverrideShape,
  JitterSchema,
  NormalJitterSchema,
  ParetoJitterSchema,
  GilbertElliottSchema,
  ReorderSchema,
  NO_IMPAIRMENT,
  type LinkImpairment,
  type LinkImpairmentInput,
  type Jitter,
  type NormalJitter,
  type ParetoJitter,
  type GilbertElliott,
  type Reorder,
} from './link-impairment';
export {
  LinkModel,
  DRAWS_PER_PACKET,
  type LinkPacket,
  type LinkVerdict,
  type DropReason,
  type DownReason,
  type LinkChange,
  type LinkChangeReason,
  type LinkChangeListener,
  type LinkCounters,
} from './link-model';
export {
  LinkChannel,
  LinkChannelOptionsSchema,
  type LinkChannelOptions,
  type LinkChannelCounters,
  type LinkChannelBacklog,
  type ChannelPacket,
  type Deliver,
  type DeliveryInfo,
  type PerQos,
  type Qos,
} from './link-channel';
export {
  LinkScheduleEntrySchema,
  planLinkChanges,
  scheduleLinkChanges,
  type LinkScheduleEntry,
  type LinkScheduleEntryInput,
  type LinkSchedule,
  type PlannedLinkChange,
} from './link-schedule';
export { LatencyHistogram, type LatencySummary } from './latency-histogram';
export { LinkError, type LinkErrorCode } from './link-error';
