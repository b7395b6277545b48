// scenarios/fleet-load: a scenario's twins alone, scaled and sharded, as load on a device broker (`twinbed twins`).
export { FleetLoad, blocksBetween, type FleetLoadOptions } from './fleet-load';
export { scaledId, scaleFleet, sliceFleet, FleetLoadError, type FleetSlice } from './scale';
export { parseShard, shardRange, type Shard } from './shard';
export { loadShortfalls, type FleetLoadReport, type LoadSnapshot, type DeviceLoad } from './load-report';
export { loadMetrics } from './load-metrics';
export { LoadProgressText, formatLoadSummary } from './load-text';
