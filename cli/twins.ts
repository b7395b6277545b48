import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import v8 from 'node:v8';
import { InvalidArgumentError } from 'commander';
import { startMetricsServer, type MetricsServer } from '../gateway';
import { FleetLoad, formatLoadSummary, loadMetrics, loadShortfalls, loadTarget, LoadProgressText, parseShard, ProgressLine, readScenario, type Shard } from '../scenarios';
import { monotonicWallMs } from '../sim';
import { EXIT } from './exit-codes';
import { stderrLogger } from './logger';

export interface TwinsFlags {
  target: string;
  scale?: number;
  shard?: Shard;
  duration?: number;
  timeScale?: number | 'max';
  seed?: string | number;
  report?: string;
  metrics?: { host: string; port: number };
}

export const TWINS_HELP = `
Runs only the scenario's twins, as load on the device broker of a kind: mqtt target file. Its devices: section says
how they connect (url, MQTT version, client ids, topics, payload format, credentials, connectRatePerS as emqtt-bench's
-R); its observe:, store: and settle: are not used. Each device sends what it would in \`twinbed run\`: its messages
depend on the seed and its id only, never on the shard, so processes on several machines can split one fleet
(--shard 1/4 … 4/4) and together send exactly what one unsharded run sends. Devices publish spread evenly over each
block period, by their place in the whole fleet, not all at its start. Devices that cannot connect are counted by
reason and left out; the run goes on.

Progress goes to stderr (one line rewritten every second on a terminal, a line every 10 s otherwise), the summary
to stdout, and --report writes the figures as JSON: connections, connect p50/p99, intended and achieved messages/s,
PUBACK p50/p99/max, errors by reason, bytes, and per device its messages, bytes and the sha256 of what it sent.

Exit codes:
  0  done: every device connected and every intended message was sent and acknowledged
  1  the run finished, but the load did not land in full: a device never connected, a message failed or was never
     acknowledged (within 30 s of the end), or the run was stopped early (SIGINT/SIGTERM; the report is still written)
  2  invalid input: a bad flag, a missing or invalid scenario or target file (the message names it); nothing ran
  3  twinbed itself failed (stack trace on stderr)

Example: 10,000 devices at 1 Hz for a minute, in two processes:
  twinbed twins scenarios/library/fleet-1hz.yaml --target broker.yaml --scale 1000 --time-scale 1 --duration 60 --shard 1/2
  twinbed twins scenarios/library/fleet-1hz.yaml --target broker.yaml --scale 1000 --time-scale 1 --duration 60 --shard 2/2
`;

export function parseShardFlag(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function parseScale(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

export function parseDuration(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected simulated seconds > 0');
  return n;
}

export function parseTimeScale(value: string): number | 'max' {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 10_000) throw new InvalidArgumentError('expected `max` or a factor in (0, 10000], 1 = real time');
  return n;
}

export function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || !match[1] || port > 65_535) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:9465 (port 0 picks a free one)');
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

/** `twinbed twins`: the scenario's fleet, scaled and sharded, as load on a target's device broker. */
export async function runTwins(file: string, flags: TwinsFlags): Promise<number> {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
  const { scenario } = await readScenario(file);
  const target = await loadTarget(flags.target);
  const logger = stderrLogger();
  const load = new FleetLoad({
    scenario,
    file,
    target,
    ...(flags.scale !== undefined ? { scale: flags.scale } : {}),
    ...(flags.shard ? { shard: flags.shard } : {}),
    ...(flags.duration !== undefined ? { durationS: flags.duration } : {}),
    ...(flags.timeScale !== undefined ? { timeScale: flags.timeScale } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    logger,
  });
  for (const note of notes(scenario, target.target)) process.stderr.write(`twinbed twins: note: ${note}\n`);
  if (load.slice.to === load.slice.from) process.stderr.write(`twinbed twins: note: this shard has no devices (the fleet has ${load.slice.total})\n`);

  let metrics: MetricsServer | undefined;
  if (flags.metrics) {
    metrics = await startMetricsServer({ ...flags.metrics, registry: loadMetrics(() => load.snapshot()) });
    process.stdout.write(`twinbed twins: metrics at ${metrics.url}\n`);
  }
  const stopProgress = progress(load);
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\ntwinbed twins: ${signal}: stopping; what was published is drained and reported (again to quit now)\n`);
    load.stop(signal);
    process.once(signal, () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let report;
  try {
    report = await load.run();
  } finally {
    stopProgress();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await metrics?.close();
  }
  if (flags.report) {
    await mkdir(dirname(flags.report), { recursive: true });
    await writeFile(flags.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.stdout.write(`${formatLoadSummary(report)}\n`);
  return loadShortfalls(report).length ? EXIT.expectationFailed : EXIT.ok;
}

/** What of the scenario and target this command does not use, said once so nobody expects it. */
function notes(scenario: Awaited<ReturnType<typeof readScenario>>['scenario'], target: Awaited<ReturnType<typeof loadTarget>>['target']): string[] {
  const out: string[] = [];
  if (target.kind === 'mqtt') {
    const unused = ['observe', ...(target.store ? ['store'] : []), ...(target.skip.length ? ['skip'] : [])];
    out.push(`the target's ${unused.join(', ')} ${unused.length > 1 ? 'are' : 'is'} not used: twins only sends load to its devices: broker (twinbed run judges a system)`);
  }
  const ignored = [
    ...(scenario.expect.length ? ['expect'] : []),
    ...(scenario.rules.length ? ['rules'] : []),
    ...(scenario.gateway ? ['gateway'] : []),
    ...(scenario.links.length ? ['links (put twinbed proxy in front of the broker to impair the network)'] : []),
  ];
  if (ignored.length) out.push(`the scenario's ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} not used by twins`);
  return out;
}

/** Prints progress on stderr (rewritten every second on a terminal, a line every 10 s otherwise) until the returned function is called. */
function progress(load: FleetLoad): () => void {
  const text = new LoadProgressText();
  const line = new ProgressLine(process.stderr, () => text.line(load.snapshot(), monotonicWallMs())).start();
  return () => line.stop();
}
