// scenarios/recording: runs and live systems recorded as MCAP (Foxglove opens them), replayed into any target,
// and judged again with their scenario's expectations.
export { PROFILE, METADATA, DEVICE_ROLES, schemaFor, type ChannelInfo, type Role, type Wire } from './layout';
export { RecordingError } from './payload';
export { RecordingWriter, type RecordingSummary } from './recording-writer';
export { Recorder, filterOfTemplate, type Tap, type TapFilter } from './recorder';
export { RecordingSink } from './recording-sink';
export { recordedEntry, type RecordedEntry, type LogTimeMode } from './recorded-entry';
export { RunRecording, recordingPath, type RecordOptions, type RunRecordingContext } from './run-recording';
export { Recording, type RecordedChannel, type RecordedMessage, type RecordedScenario } from './recording-reader';
export { Replayer, type ReplayerOptions } from './replayer';
export { judgeRecording, replayRecording, selectChannels, type ReplayOptions, type ReplayInfo } from './judge';
export { topicGlobMatcher } from './topic-glob';
export { recordLive, type LiveRecordingOptions } from './live-recording';
export { importCsv, type CsvImportOptions, type CsvImportResult } from './csv-import';
export { storeFromRecording, type RecordingStore, type RecordingStoreOptions } from './recording-store';
