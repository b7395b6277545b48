import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { resolveAnomalyPaths } from '../../gateway';
import { parseTopic } from '../../protocol';
import { parseScenario } from '../load';
import type { Reporter, RunResult } from '../reporter';
import { runScenario, type RunOptions } from '../runner';
import { ScenarioSchema, type Scenario } from '../schema';
import type { LoadedTarget, RunningTarget } from '../target';
import { DEVICE_ROLES } from './layout';
import { RecordingError } from './payload';
import { Recording, type RecordedChannel } from './recording-reader';
import { Replayer } from './replayer';
import type { RecordOptions } from './run-recording';
import { topicGlobMatcher } from './topic-glob';

export interface ReplayOptions {
  /** The target to replay into. Default: the scenario's own `target:`, else twinbed's embedded stack. */
  target?: LoadedTarget;
  /** Judge with this scenario instead of the one recorded (a recording made without one, or other expectations). */
  scenario?: { scenario: Scenario; source?: string; file?: string };
  /** Pacing: recorded time ×N, or `max` (as fast as the target acknowledges). Default: the scenario's timeScale when judging, 1 when replaying. */
  speed?: number | 'max';
  /**
   * Topics to publish, as globs (`*` one level, `**` or `#` any levels, `+` as in MQTT) over the recording's device
   * topics. Default: the readings and other device messages, and ground truth when the target takes it on its broker.
   */
  topics?: readonly string[];
  reporters?: readonly Reporter[];
  logger?: Logger;
  /** Wall ms to wait for the embedded pipeline after the last reading. Default 30000. */
  settleTimeoutMs?: number;
  /** Record the replay too (what the target did with it). */
  record?: RecordOptions;
  /** SQLite file for the embedded cloud's store, kept after the replay (as `twinbed run --store`). Default: in memory. */
  store?: string;
}

/** What a replay was, for the command's summary: the recording, the scenario it ran under, what went out. */
export interface ReplayInfo {
  recording: string;
  kind: string;
  scenario: string;
  seed: string | number;
  channels: readonly RecordedChannel[];
  /** Devices the target binds to hardware: their recorded messages are not replayed, the hardware publishes live. */
  live: readonly string[];
}

/**
 * Judges a recording with its scenario's expectations: its devices' messages are published into the target (by
 * default twinbed's embedded stack) at their recorded times, the run observes the system as any run does, and the
 * same runner evaluates the expectations. A device the target binds to hardware is not replayed: the hardware publishes
 * live in its place and takes the scenario's steps on it at their recorded times. A recorded run replayed into the
 * stack it was recorded on gives the same verdict, the same detection delays and the same telemetry sha256.
 */
export async function judgeRecording(file: string, options: ReplayOptions = {}, onInfo?: (info: ReplayInfo) => void): Promise<RunResult> {
  return replay(file, options, true, onInfo);
}

/** Publishes a recording into a target and observes what it does, without judging (`twinbed replay`). */
export async function replayRecording(file: string, options: ReplayOptions = {}, onInfo?: (info: ReplayInfo) => void): Promise<RunResult> {
  return replay(file, options, false, onInfo);
}

async function replay(file: string, options: ReplayOptions, judge: boolean, onInfo?: (info: ReplayInfo) => void): Promise<RunResult> {
  const recording = await Recording.open(file);
  try {
    const given = options.scenario ?? recordedScenario(recording);
    if (!given && judge) {
      throw new RecordingError('E_RECORDING_NO_SCENARIO', `${file} holds no scenario (it is a ${recording.kind ?? 'foreign'} recording); pass --scenario FILE with the expectations to judge it by`);
    }
    const base = given?.scenario ?? bareScenario(recording);
    const speed = options.speed ?? (judge ? base.timeScale : 1);
    const scenario: Scenario = { ...(judge ? base : withoutJudgement(base)), timeScale: speed };
    const seed = options.scenario ? scenario.seed : (recording.seed ?? scenario.seed);
    const choose = (target: RunningTarget) => selectChannels(recording, options.topics, target.truth === 'broker');
    const runOptions: RunOptions = {
      seed,
      ...(given?.file ? { file: given.file } : {}),
      ...(given?.source !== undefined && judge ? { source: given.source } : {}),
      ...(options.target ? { target: options.target } : {}),
      ...(options.reporters ? { reporters: options.reporters } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.settleTimeoutMs !== undefined ? { settleTimeoutMs: options.settleTimeoutMs } : {}),
      ...(options.record ? { record: options.record } : {}),
      ...(options.store ? { store: options.store } : {}),
      devices: async ({ setting, target, startMs, endMs, external, logger }) => {
        const live = external.map((d) => d.id);
        // A bound device's recorded messages stay out, its ground truth too: that labels the recorded twin, not the hardware.
        const channels = choose(target).filter((c) => c.info.device === undefined || !live.includes(c.info.device));
        onInfo?.({ recording: file, kind: recording.kind ?? 'foreign', scenario: scenario.name, seed, channels, live });
        const link = setting.links.get('twins->edge')?.channel;
        return Replayer.start({
          recording,
          channels,
          external,
          ...(link ? { link } : {}),
          connection: target.devices,
          baseDir: target.baseDir,
          site: scenario.site,
          scheduler: setting.scheduler,
          startMs,
          endMs,
          ...(logger ? { logger } : {}),
        });
      },
    };
    return await runScenario(scenario, runOptions);
  } finally {
    await recording.close();
  }
}

/** The device-side channels a replay publishes: those the globs select, or readings (and truth when the target takes it). */
export function selectChannels(recording: Recording, topics: readonly string[] | undefined, truth: boolean): RecordedChannel[] {
  const device = recording.channels.filter((c) => DEVICE_ROLES.has(c.info.role));
  if (!topics?.length) return device.filter((c) => c.info.role !== 'truth' || truth);
  const matchers = topics.map((glob) => ({ glob, matches: topicGlobMatcher(glob) }));
  const unmatched = matchers.filter((m) => !device.some((c) => m.matches(c.topic)));
  if (unmatched.length) {
    const known = [...new Set(device.map((c) => c.topic))].slice(0, 12).join(', ');
    throw new RecordingError('E_RECORDING_TOPICS', `--topics ${unmatched.map((m) => m.glob).join(', ')} matches no device topic of ${recording.file} (it has: ${known || 'none'})`);
  }
  return device.filter((c) => matchers.some((m) => m.matches(c.topic)));
}

/** The scenario stored in a run's recording, validated as when it ran; its model paths from the folder it was in. */
export function recordedScenario(recording: Recording): { scenario: Scenario; source?: string; file?: string } | undefined {
  const stored = recording.scenario();
  if (!stored) return undefined;
  const where = `${recording.file} (scenario${stored.file ? ` ${stored.file}` : ''})`;
  const scenario = stored.format === 'yaml' ? parseScenario(stored.text, where) : ScenarioSchema.parse(JSON.parse(stored.text));
  const anomaly = scenario.gateway?.anomaly;
  const dir = stored.file ? path.dirname(stored.file) : undefined;
  const resolved = anomaly && dir && existsSync(dir) ? { ...scenario, gateway: { ...scenario.gateway!, anomaly: resolveAnomalyPaths(anomaly, dir) } } : scenario;
  return { scenario: resolved, ...(stored.format === 'yaml' ? { source: stored.text } : {}), ...(stored.file ? { file: stored.file } : {}) };
}

/**
 * A scenario for a recording that has none (a live system, an imported log): its span and site, no rules and no
 * expectations. The embedded stack reads only its site, rules and gateway section; its twins are never started.
 */
function bareScenario(recording: Recording): Scenario {
  const telemetry = recording.channels.find((c) => c.info.role === 'telemetry');
  const parsed = telemetry ? parseTopic(telemetry.topic) : undefined;
  const site = parsed && 'site' in parsed ? parsed.site : 'site-1';
  // Whole ms around the recorded span, so the first and the last message are inside the run.
  const startMs = Math.floor(recording.startMs);
  const durationS = Math.max(Math.floor(recording.endMs) + 1 - startMs, 1) / 1000;
  const placeholder = ScenarioSchema.parse({
    name: path.basename(recording.file),
    durationS,
    startTime: new Date(startMs).toISOString(),
    site,
    twins: [{ template: 'environment', id: 'replay' }],
  });
  return { ...placeholder, twins: [] };
}

/** The scenario without what it would judge: a plain replay observes, it does not pass or fail. */
function withoutJudgement(scenario: Scenario): Scenario {
  const copy: Record<string, unknown> = { ...scenario, expect: [] };
  if ('thresholds' in copy) copy.thresholds = Array.isArray(copy.thresholds) ? [] : {};
  return copy as Scenario;
}
