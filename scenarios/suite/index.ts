// scenarios/suite: `twinbed test`. Split by where code runs, as Playwright Test's runner: loader/ (main process:
// find and check scenario files), runner/ (main: schedule tests on worker processes), worker/ (a worker process:
// run one scenario at a time), reporters/ and merge/ (main: report, and report merged shards again).
export type * from './suite-types';
export type { RunJob, HostMessage, WorkerMessage } from './ipc';
export { discoverScenarioFiles, type Discovery } from './loader/discover';
export { globToRegExp, isGlob } from './loader/glob';
export { planSuite, SuiteInputError, type SuitePlan, type SuitePlanOptions } from './loader/plan-suite';
export { scenarioLines } from './loader/scenario-lines';
export { SuiteRun, type SuiteRunOptions, type SuiteOutcome } from './runner/dispatcher';
export { ForkedWorker, type WorkerEntry } from './runner/forked-worker';
export type { SuiteWorker, AttemptEnd } from './runner/suite-worker';
export { ReporterMux, type NamedReporter } from './runner/reporter-mux';
export { testStatus, suiteStatus, countStatuses, isFailure } from './runner/verdict';
export { serveSuiteWorker, type WorkerPort } from './worker/serve-worker';
export { createReporter, isReporterPath, ReporterError, BUILTIN_REPORTERS, type ReporterContext } from './reporters/registry';
export { blobFileName, BLOB_KIND, type BlobReport } from './reporters/blob-reporter';
export { JUNIT_REPORT_FILE, junitXml } from './reporters/junit-reporter';
export { JSON_REPORT_FILE } from './reporters/json-reporter';
export { readBlobFiles, MergeError, type BlobFile } from './merge/read-blobs';
export { mergeBlobs, type MergedSuite } from './merge/merge-blobs';
export { replayReport } from './merge/replay-report';
export { SuiteProgressText } from './progress-text';
