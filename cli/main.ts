import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, TwinbedError } from '../protocol';
import { runDemo } from './demo';
import { runReplayPage } from './replay-page';
import { runGateway } from './gateway';
import { runCloud } from './cloud';
import { runGenerate } from './generate';
import { parseList, runCerts } from './certs';
import { runProxy, type ProxyCommandOptions } from './proxy';
import { runRun, type RunFlags } from './run';
import { RECORD_HELP, runRecord, type RecordFlags } from './record';
import { REPLAY_HELP, runReplay, type ReplayFlags } from './replay';
import { IMPORT_CSV_HELP, parseBlock, parseColumn, parseImportRate, parseStart, runImportCsv, type ImportCsvFlags } from './import';
import { defaultWorkers, parseRegExp, parseReporters, parseTimeoutS, runTest, wholeNumber, type TestFlags } from './test';
import { MERGE_HELP, TEST_HELP } from './test-help';
import { runTestWorker } from './test-worker';
import { runMergeReports, type MergeFlags } from './merge-reports';
import { parseDuration, parseHostPort, parseScale, parseShardFlag, parseTimeScale, runTwins, TWINS_HELP, type TwinsFlags } from './twins';
import { runModelCheck, runModelFit, type ModelCheckFlags, type ModelFitFlags } from './model';
import { runModelKeygen, type ModelKeygenFlags } from './model-keys';
import { EMULATE_HELP, EMULATE_TEMPLATES, parseDriftPpm, parsePositiveInt, parseQos, parseRateHz, runEmulate, type EmulateFlags } from './emulate';
import { EXIT } from './exit-codes';

const VERSION = '0.1.0';

function parseSeed(value: string): string | number {
  if (value.trim() === '') throw new InvalidArgumentError('expected a number or a word');
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('expected a TCP port, 0–65535');
  return port;
}

const program = new Command('twinbed')
  .description('Digital-twin testbed for AIoT data pipelines: sensor twins → MQTT → edge gateway → cloud → web.')
  .version(VERSION)
  .showHelpAfterError(true)
  .exitOverride();

program
  .command('run')
  .description('run a scenario end to end and judge its expectations (exit 0 pass, 1 fail, 2 invalid input)')
  .argument('<scenario>', 'scenario YAML file')
  .option('--seed <seed>', 'override the scenario seed, to reproduce or vary a run', parseSeed)
  .option('--target <file>', 'run against this target file (your broker or gateway, observed over MQTT) instead of the embedded stack')
  .option('--json <file>', 'write the run report as JSON')
  .option('--record <dir>', 'record the run\'s MQTT traffic (telemetry, truth, commands, features, alerts) as MCAP into DIR/<scenario>-seed<seed>.mcap')
  .option('--store <file>', 'keep the embedded cloud\'s store in this SQLite file (replaced if it exists), to replay the run with `twinbed demo --replay FILE`')
  .option('--quiet', 'print nothing but errors')
  .action(async (file: string, options: RunFlags) => {
    process.exitCode = await runRun(file, options);
  });

program
  .command('test')
  .description('run scenario files as a suite on parallel worker processes and report (exit 0 pass, 1 fail, 2 invalid input, 3 errored, 4 timed out)')
  .argument('[paths...]', 'scenario files, folders (recursive) and globs (default: scenarios/)')
  .option('--workers <n>', `worker processes, each running one scenario at a time (default: half the cores, here ${defaultWorkers()})`, wholeNumber(1))
  .option('--shard <i/n>', 'run only the i-th of n contiguous slices of the sorted files, 1-based (as Playwright)', parseShardFlag)
  .option('--grep <regex>', 'run only scenarios whose "file title" matches', parseRegExp)
  .option('--grep-invert <regex>', 'leave out scenarios whose "file title" matches', parseRegExp)
  .option('--list', 'print the tests that would run, and exit 0')
  .option('--seed <seed>', 'override every scenario\'s seed', parseSeed)
  .option('--repeat-each <n>', 'run each scenario n times, same seed (finds runs that are not deterministic)', wholeNumber(1), 1)
  .option('--retries <n>', 'retry a test that did not pass up to n times; a pass on a retry is flaky', wholeNumber(0), 0)
  .option('--fail-on-flaky', 'a flaky test fails the suite (exit 1)')
  .option('--timeout <s>', 'wall seconds one attempt at a scenario may take; its worker is stopped (status timedOut, exit 4). Default: none', parseTimeoutS)
  .option('--max-failures <n>', 'stop after n tests failed: nothing more starts, running tests are stopped (interrupted)', wholeNumber(1))
  .option('--output <dir>', 'folder the file reporters write into', 'test-results')
  .option('--reporter <names>', 'comma-separated: list, dot, json, junit, github, blob, html, or a module path (default list)', parseReporters)
  .option('--target <file>', 'run every scenario against this target file instead of its own')
  .option('--quiet', 'no progress line, and no list output unless --reporter asks for it')
  .option('--replay <recording>', 'judge a recording (twinbed run --record) with its scenario\'s expectations, or those of the one scenario file given; report to OUTPUT/<recording>.json')
  .addHelpText('after', TEST_HELP)
  .action(async (paths: string[], options: TestFlags) => {
    process.exitCode = await runTest(paths, options);
  });

program
  .command('merge-reports')
  .description('merge the blob reports of sharded `twinbed test` runs and report the union (exit as twinbed test)')
  .argument('<paths...>', 'folders (searched recursively) or *.blob.json files')
  .option('--reporter <names>', 'comma-separated: list, dot, json, junit, github, blob, html, or a module path (default list)', parseReporters)
  .option('--output <dir>', 'folder the file reporters write into', 'test-results')
  .addHelpText('after', MERGE_HELP)
  .action(async (paths: string[], options: MergeFlags) => {
    process.exitCode = await runMergeReports(paths, options);
  });

// A worker process of `twinbed test` (forked with IPC); not for people.
program.command('__worker', { hidden: true }).action(() => runTestWorker());

// Recordings (scenarios/recording): record a live system, replay a recording into a target, import a sensor log.
program
  .command('record')
  .description('record a live system\'s MQTT traffic (its devices and what its pipeline publishes) as MCAP (exit 0 recorded, 1 nothing arrived, 2 invalid input)')
  .requiredOption('--target <file>', 'a kind: mqtt target file: its devices: templates and observe: topics say what to record')
  .requiredOption('--out <file>', 'the MCAP file to write')
  .option('--duration <s>', 'wall seconds to record (default: until Ctrl-C)', parseDuration)
  .option('--topics <filters>', 'comma-separated MQTT filters on the device broker, instead of those from the target\'s templates', parseList)
  .addHelpText('after', RECORD_HELP)
  .action(async (options: RecordFlags) => {
    process.exitCode = await runRecord(options);
  });

program
  .command('replay')
  .description('publish a recording\'s device messages into a target at their recorded pacing ×N or as fast as it acknowledges; --judge judges it (exit 0 done, 1 not acknowledged or failed, 2 invalid input)')
  .argument('<recording>', 'an MCAP recording from twinbed run --record, twinbed record or twinbed import')
  .option('--speed <x>', '`max` or a factor of recorded time, 1 = as recorded (default 1; with --judge, the scenario\'s timeScale)', parseTimeScale)
  .option('--target <file>', 'target file to replay into (default: the recorded scenario\'s target, else the embedded stack)')
  .option('--topics <globs>', 'comma-separated globs over the recording\'s device topics (default: readings, and truth when the target takes it)', parseList)
  .option('--scenario <file>', 'use this scenario (rules, gateway, expectations) instead of the recorded one')
  .option('--judge', 'judge the replay with the scenario\'s expectations, as twinbed run does (same as twinbed test --replay)')
  .option('--json <file>', 'write the run report as JSON')
  .option('--quiet', 'print nothing but errors')
  .addHelpText('after', REPLAY_HELP)
  .action(async (file: string, options: ReplayFlags) => {
    process.exitCode = await runReplay(file, options);
  });

program
  .command('import')
  .description('turn a sensor log into a recording that replays as a device')
  .command('csv')
  .description('import one column of a CSV (or one value a line) as a device sensor\'s telemetry blocks (exit 0 imported, 2 invalid input)')
  .argument('<file>', 'the log')
  .requiredOption('--device <id>', 'the device it replays as')
  .requiredOption('--sensor <id>', 'the sensor')
  .requiredOption('--rate <hz>', 'sample rate, Hz', parseImportRate)
  .requiredOption('--out <file>', 'the MCAP file to write')
  .option('--unit <unit>', 'unit of the values (default g)')
  .option('--column <n|name>', 'the column: a number from 1, or a header name (default 1)', parseColumn)
  .option('--block <n>', 'samples per telemetry block (default 1024, or one second below 1024 Hz)', parseBlock)
  .option('--site <site>', 'site of the device\'s topic (default site-1)')
  .option('--start <iso>', 'time of the first sample (default 2026-01-01T00:00:00Z, a scenario\'s default start)', parseStart)
  .addHelpText('after', IMPORT_CSV_HELP)
  .action(async (file: string, options: ImportCsvFlags) => {
    process.exitCode = await runImportCsv(file, options);
  });

program
  .command('twins')
  .description('run only a scenario\'s twins, scaled and sharded, as load on a target\'s device broker (exit 0 done, 1 load not landed in full, 2 invalid input)')
  .argument('<scenario>', 'scenario YAML file')
  .requiredOption('--target <file>', 'a kind: mqtt target file: its devices: section says where and how the twins connect')
  .option('--scale <n>', 'copies of the fleet with unique ids, zero-padded to the width of n (×1000: pump-1 → pump-1-0001 … pump-1-1000), faults copied onto each (default 1: ids as written)', parseScale)
  .option('--shard <i/n>', 'run only the i-th of n contiguous slices of the scaled device list, 1-based (as Playwright)', parseShardFlag)
  .option('--duration <s>', 'simulated seconds, instead of the scenario\'s durationS', parseDuration)
  .option('--time-scale <x>', '`max` (virtual time, as fast as the broker acknowledges) or a factor (1 = real time), instead of the scenario\'s timeScale', parseTimeScale)
  .option('--seed <seed>', 'override the scenario seed', parseSeed)
  .option('--report <file>', 'write the report as JSON')
  .option('--metrics <host:port>', 'serve Prometheus GET /metrics here while it runs (port 0 picks one; the URL is printed)', parseHostPort)
  .addHelpText('after', TWINS_HELP)
  .action(async (file: string, options: TwinsFlags) => {
    process.exitCode = await runTwins(file, options);
  });

program
  .command('generate')
  .description('write every sensor\'s samples with timestamps and ground-truth fault labels, as fast as possible')
  .argument('<scenario>', 'scenario YAML file')
  .requiredOption('--out <dir>', 'output folder (one folder per device, one file per sensor, plus manifest.json)')
  .addOption(new Option('--format <format>', 'file format').choices(['csv', 'parquet']).default('csv'))
  .option('--seed <seed>', 'override the scenario seed', parseSeed)
  .action(async (file: string, options: { out: string; format: 'csv' | 'parquet'; seed?: string | number }) => {
    await runGenerate(file, options);
  });

program
  .command('certs')
  .description('issue a site CA, the gateway TLS certificate, and per device a client certificate, secret and HMAC key; writes/updates DIR/devices.yaml (secret: keep it 0600)')
  .requiredOption('--out <dir>', 'output folder; re-running reuses its CA and keeps registered devices')
  .requiredOption('--site <site>', 'site name, written into every certificate')
  .option('--devices <ids>', 'comma-separated device ids, e.g. pump-1,pump-2', parseList, [])
  .option('--hosts <hosts>', 'comma-separated IPs/DNS names devices use to reach the gateway', parseList, ['127.0.0.1', 'localhost'])
  .option('--days <n>', 'validity of server and device certificates, days', Number, 365)
  .action(async (options: { out: string; site: string; devices: string[]; hosts: string[]; days: number }) => {
    await runCerts(options);
  });

program
  .command('proxy')
  .description('MQTT-aware impairment proxy in front of any broker: per-message latency, loss, duplication, partitions; changed at run time over HTTP')
  .requiredOption('--listen <host:port>', 'where MQTT clients connect, e.g. 127.0.0.1:1884 (port 0 picks a free one)')
  .requiredOption('--upstream <url>', 'the broker behind the proxy, mqtt://host:port')
  .option('--api <host:port>', 'control API (Toxiproxy-style HTTP)', '127.0.0.1:8474')
  .option('--config <file>', 'impairments YAML: up, down, both, schedule')
  .option('--seed <seed>', 'seed of the link models, to reproduce a run (default: random, printed)', parseSeed)
  .option('--name <name>', 'proxy name in the control API', 'mqtt')
  .action(async (options: ProxyCommandOptions) => {
    await runProxy(options);
  });

program
  .command('demo')
  .description('start twins, gateway, cloud and the live 3D view in this process, and print its URL')
  .option('--scenario <file>', 'scenario to show (default: the bundled scenarios/demo.yaml)')
  .addOption(new Option('--port <port>', 'web port; 0 picks a free one').default(8080).argParser(parsePort))
  .option('--host <host>', 'web interface to listen on', '127.0.0.1')
  .option('--replay <file>', 'instead of a live stack, scrub through a finished run\'s store (`twinbed run --store FILE`) or an MCAP recording (`run --record`, `record`), told apart by their first bytes; --scenario draws its hall and marks its faults (default: the scenario a recording carries)')
  .action(async (options: { scenario?: string; port: number; host: string; replay?: string }) => {
    if (options.replay) await runReplayPage({ ...options, replay: options.replay });
    else await runDemo(options);
  });

program
  .command('gateway')
  .description('run the edge gateway as its own process')
  .requiredOption('--config <file>', 'gateway YAML file')
  .action(async (options: { config: string }) => {
    await runGateway(options.config);
  });

program
  .command('cloud')
  .description('run the cloud pipeline as its own process: durable ingest, storage (SQLite or PostgreSQL), rules, the model lifecycle and the REST API')
  .requiredOption('--config <file>', 'cloud YAML file')
  .option('--storage <url>', 'store here instead of the file\'s `storage`: sqlite:PATH, :memory: or postgres://user:pass@host:port/db')
  .action(async (options: { config: string; storage?: string }) => {
    await runCloud(options.config, options.storage ? { storage: options.storage } : {});
  });

program
  .command('emulate')
  .description('a hardware emulator: a device\'s firmware on a serial port (a socat pty pair) or MQTT, from a twin\'s physics, with its own drifting clock (exit 0 when stopped or its port closes)')
  .option('--serial <path>', 'write lines to, and read commands from, this serial port or pty')
  .addOption(new Option('--baud <n>', 'baud rate of --serial').default(115_200).argParser(parsePositiveInt))
  .option('--mqtt <url>', 'or speak over this broker, mqtt://host:port')
  .requiredOption('--device <id>', 'the device id it reports (the twin it stands for)')
  .addOption(new Option('--template <template>', 'the twin it runs, from template defaults').choices(EMULATE_TEMPLATES).default('pump'))
  .option('--scenario <file>', 'take the twin (its parameters and faults) from this scenario instead of --template')
  .option('--drift-ppm <ppm>', 'its clock\'s rate error, ppm (+ runs fast); its timestamps and sampling follow it', parseDriftPpm, 0)
  .option('--seed <seed>', 'seed of its sensor noise and physics', parseSeed, 1)
  .addOption(new Option('--format <format>', 'line format').choices(['jsonl', 'csv']).default('jsonl'))
  .option('--max-rate-hz <hz>', 'highest sample rate on the line, Hz (faster sensors are filtered and decimated)', parseRateHz, 100)
  .option('--topic <template>', 'MQTT: where it publishes its lines ({device})', 'twinbed-hw/{device}/data')
  .option('--command-topic <template>', 'MQTT: where it reads commands ({device})', 'twinbed-hw/{device}/cmd')
  .option('--status-topic <template>', 'MQTT: its retained status and will ({device})', 'twinbed-hw/{device}/status')
  .option('--qos <0|1>', 'MQTT: QoS of its lines', parseQos, 0)
  .addOption(new Option('--on-close <what>', 'when its port closes or broker goes: exit, or reconnect and keep running (default: exit on serial, reconnect on MQTT)').choices(['exit', 'reconnect']))
  .option('--duration <s>', 'stop after this many seconds (default: run until stopped)', parseDuration)
  .addHelpText('after', EMULATE_HELP)
  .action(async (options: EmulateFlags) => {
    process.exitCode = await runEmulate(options);
  });

const model = program.command('model').description('fit and check the edge anomaly model (PCA residual, exported as ONNX), and make the key that signs it');

/** Where the feature windows come from: a JSONL file, or a scenario's twins through the gateway's own pipeline. */
function windowOptions(command: Command): Command {
  return command
    .option('--features <file>', 'JSONL file of feature windows, one features message (v1 or v2) per line')
    .option('--scenario <file>', 'compute the windows from this scenario\'s twins with the gateway pipeline (needs --device)')
    .option('--device <id>', 'only this device\'s windows')
    .option('--sensor <id>', 'only this sensor\'s windows (with --scenario, default accel)')
    .option('--seconds <n>', 'with --scenario: simulated seconds to use (default: its duration)')
    .option('--seed <seed>', 'with --scenario: override its seed')
    .option('--faults', 'with --scenario: keep its faults (fit leaves them out by default, check keeps them)');
}

windowOptions(model.command('fit').description('fit the model on healthy windows; writes DIR/model.onnx and DIR/model.json'))
  .requiredOption('--out <dir>', 'output folder')
  .option('--variance <f>', 'fraction of variance the kept components explain (default 0.95)')
  .option('--components <k>', 'keep exactly k components')
  .option('--margin <x>', 'threshold = healthy percentile × margin (default 1.5)')
  .option('--percentile <p>', 'healthy-score percentile the threshold starts from, % (default 99.9)')
  .option('--log <features>', '`auto`, `none` or comma-separated features modelled in log space (default auto)')
  .option('--select <features>', 'comma-separated input features, in input order')
  .option('--model-version <name>', 'version name (default pca-<sha256 of the windows>)')
  .action(async (options: ModelFitFlags) => {
    process.exitCode = await runModelFit(options);
  });

windowOptions(model.command('check').description('score windows with ONNX Runtime, compare with the TypeScript reference, print the distribution (exit 1 on a parity failure)'))
  .requiredOption('--model <file>', 'the .onnx model')
  .option('--inputs <features>', 'comma-separated feature names, for a model without twinbed metadata')
  .option('--threshold <x>', 'score threshold (default: the model\'s own)')
  .option('--json <file>', 'also write the report as JSON')
  .action(async (options: ModelCheckFlags) => {
    process.exitCode = await runModelCheck(options);
  });

model
  .command('keygen')
  .description('create an Ed25519 key pair that signs registered models: DIR/<id>.key.pem (cloud) and DIR/<id>.pub.pem (gateways)')
  .requiredOption('--out <dir>', 'output folder')
  .option('--key-id <id>', 'the key\'s name in gateway and cloud config (default model-<8 hex of the public key\'s sha256>)')
  .action(async (options: ModelKeygenFlags) => {
    process.exitCode = (await runModelKeygen(options)).code;
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are successful exits; every other commander error is a usage error, already printed.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? EXIT.ok : EXIT.invalidInput;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`twinbed: invalid input\n${error.message}\n`);
    return EXIT.invalidInput;
  }
  if (error instanceof TwinbedError) {
    process.stderr.write(`twinbed: ${error.message}\n`);
    return EXIT.invalidInput;
  }
  process.stderr.write(`twinbed: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT.crashed;
}
