import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { LoadedTarget } from '../target';
import { METADATA, type Role } from './layout';
import { RecordingError } from './payload';
import { Recorder, type Tap } from './recorder';
import { RecordingSink } from './recording-sink';
import type { RecordingSummary } from './recording-writer';
import { redactSecrets } from './redact';
import { describer, deviceTap, observedTap } from './taps';

export interface LiveRecordingOptions {
  /** A `kind: mqtt` target: its `devices:` broker and topic templates, and the broker and topics it `observe:`s. */
  target: LoadedTarget;
  /** The MCAP file to write. */
  out: string;
  /** Device-side topic filters to record instead of those derived from the target's templates. */
  topics?: readonly string[];
  /** Wall seconds to record, from the moment every subscription is granted. Default: until `signal`. */
  durationS?: number;
  /** Ends the recording early (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** The clock log times are read from, epoch ms: a live system's is the wall clock, injected at the edge (the CLI). */
  now: () => number;
  logger?: Logger;
}

/**
 * Records a live system (real devices on a plant broker, and what its pipeline publishes) for `durationS` or until
 * `signal` aborts:
 * the device topics from the target's `devices:` templates (or `topics`), and its `observe:` topics. Log times are
 * when each message arrived (wall clock); publish times the event time a twinbed payload carries.
 */
export async function recordLive(options: LiveRecordingOptions): Promise<RecordingSummary> {
  const { target: loaded, out, logger } = options;
  if (loaded.target.kind !== 'mqtt') {
    throw new RecordingError(
      'E_RECORDING_TARGET',
      `${loaded.name}: \`twinbed record\` listens to a running system, a kind: mqtt target; twinbed's embedded stack runs only inside a run, so record that with \`twinbed run --record DIR\``,
    );
  }
  const config = loaded.target;
  const devices = { ...config.devices, url: config.devices.url! };
  const derived = deviceTap(devices, '+', config.observe);
  const deviceSide: Tap = options.topics?.length ? { ...derived, filters: options.topics.map((filter) => ({ filter, role: 'device' as Role })) } : derived;
  const taps = [deviceSide, await observedTap(config.observe.url ?? devices.url, config.observe, loaded.baseDir)];
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  const sink = await RecordingSink.open(out, 'receipt', logger);
  let recorder: Recorder | undefined;
  try {
    await sink.metadata(METADATA.recording, {
      kind: 'live',
      target: loaded.name,
      startedAt: new Date().toISOString(),
      topics: JSON.stringify(taps.flatMap((t) => t.filters.map((f) => f.filter))),
    });
    await sink.metadata(METADATA.target, { name: loaded.name, kind: config.kind, config: JSON.stringify(redactSecrets(config)) });
    try {
      recorder = await Recorder.start({ sink, taps, now: options.now, describe: describer(devices), ...(logger ? { logger } : {}) });
    } catch (error) {
      throw new RecordingError('E_RECORDING_CONNECT', `${loaded.name}: ${(error as Error).message}; check the target's devices.url and observe.url, and that the broker runs`, { cause: error });
    }
    await until(options.durationS, options.signal);
    await recorder.stop();
  } catch (error) {
    await recorder?.stop();
    await sink.close().catch(() => undefined);
    throw error;
  }
  return sink.close();
}

/** Resolves after `durationS` wall seconds or when `signal` aborts, whichever comes first. */
function until(durationS: number | undefined, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = durationS === undefined ? undefined : setTimeout(done, durationS * 1000);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
