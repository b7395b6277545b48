// Expectations: what must hold at the end of a run, judged on what the run observed (RunEvidence).
export { evaluate, skippedResult, type Judged } from './evaluate';
export type { ExpectationResult, RunEvidence, LinkEvidence, ReceivedCommandEvidence } from './evidence';
export { scenarioNameProblems, featureNames, sensorStreams, type NameProblem } from './names';
