import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { encodeMessage, topics } from '../../protocol';
import type { Clock } from '../../sim';
import type { TwinFleet } from '../../twins';
import type { Scenario } from '../schema';
import { TWINBED_OBSERVATION, type LoadedTarget, type RunningTarget } from '../target';
import { METADATA } from './layout';
import { Recorder } from './recorder';
import { describer, deviceTap, observedTap } from './taps';
import { RecordingSink } from './recording-sink';
import type { RecordingSummary } from './recording-writer';
import { redactSecrets } from './redact';

/** Where a run's recording goes (`twinbed run --record DIR`, and the `record` option of runScenario). */
export interface RecordOptions {
  /** Folder for the recording, created if missing; the file is named `<scenario file>-seed<seed>.mcap`. */
  dir?: string;
  /** The recording's path, instead of a name in `dir`. */
  file?: string;
  /** Told where the recording went and what it holds, once the file is closed. */
  onWritten?: (summary: RecordingSummary) => void;
}

/** What the recording asks of the run's devices at the end. */
export type RecordedFleet = Pick<TwinFleet, 'truthLog' | 'telemetrySha256' | 'stats'>;

/** What a run tells its recording when it starts. */
export interface RunRecordingContext {
  scenario: Scenario;
  /** The scenario's YAML text, stored so the recording can be judged later. */
  source?: string;
  file?: string;
  seed: string | number;
  loaded: LoadedTarget;
  target: RunningTarget;
  clock: Clock;
  startMs: number;
  logger?: Logger;
}

/** The recording's path for a run: `file`, or `<dir>/<scenario file, or its name>-seed<seed>.mcap`. */
export function recordingPath(options: RecordOptions, scenario: Pick<Scenario, 'name'>, file: string | undefined, seed: string | number): string {
  if (options.file) return options.file;
  const base = file ? path.basename(file).replace(/\.ya?ml$/i, '') : scenario.name;
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  return path.join(options.dir ?? '.', `${safe(base)}-seed${safe(String(seed))}.mcap`);
}

/**
 * A run's recording: taps on the device broker (telemetry, commands, ground truth) and on the broker the run observes
 * (features, alerts), started before the twins and stopped once the run has settled.
 */
export class RunRecording {
  readonly file: string;
  readonly #options: RecordOptions;
  readonly #context: RunRecordingContext;
  readonly #sink: RecordingSink;
  readonly #recorder: Recorder;
  #done: Promise<RecordingSummary> | undefined;

  private constructor(file: string, options: RecordOptions, context: RunRecordingContext, sink: RecordingSink, recorder: Recorder) {
    this.file = file;
    this.#options = options;
    this.#context = context;
    this.#sink = sink;
    this.#recorder = recorder;
  }

  static async start(options: RecordOptions, context: RunRecordingContext): Promise<RunRecording> {
    const { scenario, loaded, target, clock } = context;
    const file = recordingPath(options, scenario, context.file, context.seed);
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const sink = await RecordingSink.open(file, 'event', context.logger);
    try {
      await sink.metadata(METADATA.recording, {
        kind: 'run',
        scenario: scenario.name,
        seed: String(context.seed),
        site: scenario.site,
        startTime: new Date(context.startMs).toISOString(),
        durationS: String(scenario.durationS),
        timeScale: String(scenario.timeScale),
        target: loaded.name,
      });
      await sink.metadata(METADATA.scenario, {
        ...(context.source !== undefined ? { yaml: context.source } : { json: JSON.stringify(scenario) }),
        ...(context.file ? { file: path.resolve(context.file) } : {}),
      });
      await sink.metadata(METADATA.target, { name: loaded.name, kind: loaded.target.kind, config: JSON.stringify(redactSecrets(loaded.target)) });
      const observe = loaded.target.kind === 'mqtt' ? loaded.target.observe : TWINBED_OBSERVATION;
      const taps = [deviceTap(target.devices, target.truth === 'broker' ? scenario.site : undefined, observe), await observedTap(target.observer.url, observe, loaded.baseDir)];
      const recorder = await Recorder.start({
        sink,
        taps,
        now: () => clock.now(),
        skipRetained: true,
        describe: describer(target.devices),
        ...(context.logger ? { logger: context.logger } : {}),
      });
      return new RunRecording(file, options, context, sink, recorder);
    } catch (error) {
      await sink.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Waits for what the brokers still carry, adds what never crossed one (ground truth kept local) and what the twins
   * published, and closes the file. Without the fleet (a run that failed) it only closes the file. Runs once.
   */
  stop(fleet?: RecordedFleet): Promise<RecordingSummary> {
    this.#done ??= this.#stop(fleet);
    return this.#done;
  }

  async #stop(fleet: RecordedFleet | undefined): Promise<RecordingSummary> {
    const { scenario, target } = this.#context;
    await this.#recorder.stop();
    if (fleet) {
      if (target.truth === 'local') {
        for (const truth of fleet.truthLog()) this.#recorder.record(topics.truth(scenario.site, truth.device), encodeMessage(truth, 'json'), 'truth', { qos: 1, retain: true });
      }
      const published: Record<string, string> = { telemetrySha256: fleet.telemetrySha256() };
      for (const s of fleet.stats()) published[`${s.device}/${s.sensor}`] = JSON.stringify({ sent: s.sent, acked: s.acked, qos: s.qos, dropped: s.dropped });
      await this.#sink.metadata(METADATA.published, published);
    }
    const summary = await this.#sink.close();
    this.#options.onWritten?.(summary);
    return summary;
  }
}
