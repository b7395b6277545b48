import { loadTarget, recordLive, type RecordingSummary, type RecordOptions } from '../scenarios';
import { monotonicWallMs } from '../sim';
import { EXIT } from './exit-codes';
import { stderrLogger } from './logger';

export interface RecordFlags {
  target: string;
  out: string;
  duration?: number;
  topics?: string[];
}

export const RECORD_HELP = `
Records a live system as MCAP (Foxglove opens it; \`twinbed replay\` publishes it again): the device topics of the
target's devices: section (its topic and command templates, any site and device; or --topics), ground truth on
twinbed-truth/v1/#, and the topics its observe: section maps, on its observe.url. Each message is kept as it crossed
the broker: twinbed envelopes as their JSON, other JSON objects byte for byte, anything else as base64. Log times
are when each message arrived. Stops after --duration seconds, or on Ctrl-C (SIGINT/SIGTERM), and closes the file.

Exit codes: 0 recorded; 1 nothing arrived; 2 invalid input (a bad target file, a broker that does not answer);
3 twinbed failed.
`;

/** `twinbed record`: record a live system's MQTT traffic until the duration ends or a signal comes. */
export async function runRecord(flags: RecordFlags): Promise<number> {
  const target = await loadTarget(flags.target);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  process.stderr.write(`twinbed record: recording ${flags.target} into ${flags.out}${flags.duration ? ` for ${flags.duration} s` : ''}; Ctrl-C to stop\n`);
  try {
    const summary = await recordLive({
      target,
      out: flags.out,
      ...(flags.topics?.length ? { topics: flags.topics } : {}),
      ...(flags.duration !== undefined ? { durationS: flags.duration } : {}),
      signal: stop.signal,
      now: monotonicWallMs,
      logger: stderrLogger(),
    });
    process.stdout.write(recordingText(summary, (performance.now() - started) / 1000));
    return summary.messages > 0 ? EXIT.ok : EXIT.expectationFailed;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The `record` option of `twinbed run --record DIR`: says where the recording went, through `write`, once it is closed. */
export function runRecordOption(dir: string, write: (text: string) => void): RecordOptions {
  return { dir, onWritten: (summary) => write(recordingText(summary)) };
}

/** `recorded 1,063 messages on 8 topics into x.mcap (20.9 MB)`, then the topics with their counts. */
export function recordingText(summary: RecordingSummary, seconds?: number): string {
  const topics = Object.entries(summary.topics);
  const lines = [
    `recorded ${summary.messages} messages on ${topics.length} topics into ${summary.file} (${(summary.bytes / 1e6).toFixed(1)} MB)${seconds !== undefined ? ` in ${seconds.toFixed(1)} s` : ''}`,
    ...topics.slice(0, 30).map(([topic, n]) => `  ${topic}: ${n}`),
    ...(topics.length > 30 ? [`  … and ${topics.length - 30} more topics`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
