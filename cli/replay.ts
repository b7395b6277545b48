import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  formatHardwareLine,
  judgeRecording,
  JsonReporter,
  ListReporter,
  loadTarget,
  readScenario,
  replayRecording,
  type ReplayInfo,
  type ReplayOptions,
  type Reporter,
  type RunResult,
} from '../scenarios';
import { EXIT } from './exit-codes';
import { stderrLogger } from './logger';

export interface ReplayFlags {
  speed?: number | 'max';
  target?: string;
  topics?: string[];
  scenario?: string;
  judge?: boolean;
  json?: string;
  quiet?: boolean;
}

export const REPLAY_HELP = `
Publishes a recording's device messages (readings; ground truth too when the target takes it on its broker) into a
target as those devices: one MQTT session each, with the target's client ids, credentials and payload format, each
message at its recorded time. Readings go out in the target's format; into twinbed's own they are the bytes that
were recorded. The target is observed as in \`twinbed run\`: the summary says what it published back. A device the
target binds to hardware (its \`hardware:\`) is not replayed: the device publishes live in its place, and the
recorded scenario's steps on it go to the device at their recorded times (hardware runs in real time: --speed 1).

  --speed 1      recorded pacing (the default); 10 = ten times faster
  --speed max    virtual time: as fast as the target acknowledges
  --target FILE  where: a target file (kind: embedded, or kind: mqtt for any broker or gateway). Default: the
                 recording's scenario's own target, else twinbed's embedded stack with the recorded scenario's rules
  --topics LIST  comma-separated globs over the recording's device topics: + and * one level, # and ** any levels,
                 e.g. 'twinbed/v1/+/pump-1/telemetry/*,twinbed-truth/**'
  --judge        judge the replay with the recorded scenario's expectations (or --scenario's), as twinbed run does;
                 by default at the scenario's timeScale. \`twinbed test --replay REC.mcap\` does the same.

Exit codes: 0 every reading published and acknowledged (with --judge: every expectation held); 1 not (an expectation
failed); 2 invalid input (a file that is not a twinbed recording, --topics matching nothing); 3 twinbed failed.
`;

/** `twinbed replay`: publish a recording into a target, and with --judge, judge it. */
export async function runReplay(file: string, flags: ReplayFlags): Promise<number> {
  const options = await replayOptions(flags);
  const write = (text: string) => void (flags.quiet ? undefined : process.stdout.write(text));
  const onInfo = (info: ReplayInfo) => write(`${describeReplay(file, info, flags.speed ?? (flags.judge ? undefined : 1))}\n`);
  if (flags.judge) {
    const result = await judgeRecording(file, { ...options, reporters: reportersFor(flags) }, onInfo);
    for (const error of result.reporterErrors ?? []) process.stderr.write(`twinbed: reporter failed: ${error}\n`);
    return result.passed ? EXIT.ok : EXIT.expectationFailed;
  }
  const result = await replayRecording(file, { ...options, reporters: flags.json ? [new JsonReporter(flags.json)] : [] }, onInfo);
  write(replaySummary(result));
  return result.stats.acked >= result.stats.published && result.stats.devices.failed === 0 ? EXIT.ok : EXIT.expectationFailed;
}

/**
 * `twinbed test --replay REC.mcap [scenario.yaml]`: judges one recording with its scenario's expectations (or the
 * given scenario's), prints as `twinbed run` does and writes the report to OUTPUT/<recording>.json.
 */
export async function runTestReplay(file: string, paths: readonly string[], flags: { target?: string; seed?: string | number; output: string; quiet?: boolean }): Promise<number> {
  if (paths.length > 1) {
    process.stderr.write(`twinbed test: --replay judges one recording, with its own scenario or one given scenario file; got ${paths.length} paths\n`);
    return EXIT.invalidInput;
  }
  if (flags.seed !== undefined) process.stderr.write('twinbed test: note: --seed does not apply to --replay: the recording holds what its seed made\n');
  const options = await replayOptions({ ...(flags.target ? { target: flags.target } : {}), ...(paths[0] ? { scenario: paths[0] } : {}) });
  await mkdir(flags.output, { recursive: true });
  const json = path.join(flags.output, `${path.basename(file).replace(/\.mcap$/i, '')}.json`);
  const reporters = reportersFor({ json, ...(flags.quiet ? { quiet: true } : {}) });
  const result = await judgeRecording(file, { ...options, reporters }, (info) => {
    if (!flags.quiet) process.stdout.write(`${describeReplay(file, info, undefined)}\n`);
  });
  return result.passed ? EXIT.ok : EXIT.expectationFailed;
}

async function replayOptions(flags: Pick<ReplayFlags, 'speed' | 'target' | 'topics' | 'scenario'>): Promise<ReplayOptions> {
  const target = flags.target ? await loadTarget(flags.target) : undefined;
  const scenario = flags.scenario ? { ...(await readScenario(flags.scenario)), file: flags.scenario } : undefined;
  return {
    ...(target ? { target } : {}),
    ...(scenario ? { scenario } : {}),
    ...(flags.speed !== undefined ? { speed: flags.speed } : {}),
    ...(flags.topics?.length ? { topics: flags.topics } : {}),
    logger: stderrLogger(),
  };
}

function reportersFor(flags: { quiet?: boolean; json?: string }): Reporter[] {
  const reporters: Reporter[] = [];
  if (!flags.quiet) reporters.push(new ListReporter((text) => process.stdout.write(text)));
  if (flags.json) reporters.push(new JsonReporter(flags.json));
  return reporters;
}

function describeReplay(file: string, info: ReplayInfo, speed: number | 'max' | undefined): string {
  const messages = info.channels.reduce((n, c) => n + c.messages, 0);
  const what = info.kind === 'run' ? `recorded run of "${info.scenario}" (seed ${info.seed})` : `${info.kind} recording`;
  const pace = speed === undefined ? '' : speed === 'max' ? ' as fast as the target acknowledges' : ` at ×${speed} of recorded time`;
  const live = info.live.length ? `; live from hardware, not replayed: ${info.live.join(', ')}` : '';
  return `twinbed replay ${file}: ${what}, ${info.channels.length} device topics, ${messages} messages${pace}${live}`;
}

function replaySummary(result: RunResult): string {
  const { stats, timeline, wall } = result;
  const devices = stats.devices.connected;
  const lines = [
    `  published ${stats.published} readings from ${devices} ${devices === 1 ? 'device' : 'devices'} into ${result.target}, ${stats.acked} acknowledged`,
    `  observed: ${stats.windows} feature windows, ${stats.alerts} alerts raised, ${stats.commandsReceived} commands to the devices`,
    ...timeline.alerts.map((a) => `    ${a.device}${a.sensor ? `/${a.sensor}` : ''} ${a.rule} ${a.state} at ${a.atS} s`),
    ...Object.entries(stats.hardware ?? {}).map(([device, hardware]) => `  ${formatHardwareLine(device, hardware)}`),
    ...timeline.steps.filter((s) => stats.hardware?.[s.device]).map((s) => `    step ${s.action} at ${s.atS} s: ${s.outcome}`),
    `  replayed ${result.simulatedS} s in ${(wall.ms / 1000).toFixed(1)} s of wall time (×${wall.speedup.toFixed(1)}); telemetry sha256 ${result.telemetrySha256}`,
  ];
  return `${lines.join('\n')}\n`;
}
