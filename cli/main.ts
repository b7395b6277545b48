import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, TwinbedError } from '../protocol';
import { runDemo } from './demo';
import { runGateway } from './gateway';
import { runGenerate } from './generate';
import { parseList, runCerts } from './certs';
import { runProxy, type ProxyCommandOptions } from './proxy';
import { runRun, type RunFlags } from './run';
import { parseDuration, parseHostPort, parseScale, parseShardFlag, parseTimeScale, runTwins, TWINS_HELP, type TwinsFlags } from './twins';
import { runModelCheck, runModelFit, type ModelCheckFlags, type ModelFitFlags } from './model';
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
  .option('--quiet', 'print nothing but errors')
  .action(async (file: string, options: RunFlags) => {
    process.exitCode = await runRun(file, options);
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
  .action(async (options: { scenario?: string; port: number; host: string }) => {
    await runDemo(options);
  });

program
  .command('gateway')
  .description('run the edge gateway as its own process')
  .requiredOption('--config <file>', 'gateway YAML file')
  .action(async (options: { config: string }) => {
    await runGateway(options.config);
  });

const model = program.command('model').description('fit and check the edge anomaly model (PCA residual, exported as ONNX)');

/** Where the feature windows come from: a JSONL file, or a scenario's twins through the gateway's own pipeline. */
function windowOptions(command: Command): Command {
  return command
    .option('--features <file>', 'JSONL file of feature windows, one FeaturesV1 per line')
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
