// cloud/lifecycle/: the model lifecycle's control logic — staged rollouts and drift detection — behind ports.
export { RolloutError, DriftError, type RolloutErrorCode, type DriftErrorCode } from './errors';
export { RolloutSpecSchema, RolloutGroupSchema, FalseAlarmSchema, type RolloutSpec, type RolloutSpecInput, type RolloutGroup } from './rollout-spec';
export { assignGroups, type GatewayRef } from './rollout-groups';
export {
  GATEWAY_PHASES,
  ROLLOUT_STATES,
  type GatewayPhase,
  type RolloutState,
  type GatewayRolloutStatus,
  type RolloutStatus,
} from './rollout-state';
export { RolloutController, type RolloutAction, type RolloutPorts, type RolloutWindow } from './rollout';
export { ROLLOUT_INDEX_KEY, rolloutKey } from './rollout-store';
export { buildDriftReference, binFractions, quantileSorted, type DriftReference, type FeatureReference } from './drift-reference';
export { psi, PSI_EMPTY_BIN_FLOOR } from './psi';
export { ksStatistic, kolmogorovQ, type KsResult } from './ks';
export { DriftPolicySchema, type DriftPolicy, type DriftPolicyInput } from './drift-policy';
export { DriftMonitor, type DriftWindow, type FeatureDrift, type DriftReport, type DriftChange, type RetrainRequest, type DriftUpdate } from './drift';
