// Expectations: what must hold at the end of a run, judged on what the run observed (RunEvidence).
export { evaluate, skippedResult, type Judged } from './evaluate';
export { lifecycleEvidence } from './lifecycle-evidence';
export type { ExpectationResult, RunEvidence, LinkEvidence, ReceivedCommandEvidence, ReplyEvidence, RolloutStatusEvidence } from './evidence';
export { scenarioNameProblems, featureNames, sensorStreams, gatewayIdsOf, DEFAULT_GATEWAY_ID, type NameProblem } from './names';
