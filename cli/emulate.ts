import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../protocol';
import { emulatedMachine, readScenario, startEmulator } from '../scenarios';
import { TEMPLATES, type MachineConfig } from '../twins';
import { EXIT } from './exit-codes';
import { stderrLogger } from './logger';

export interface EmulateFlags {
  serial?: string;
  baud: number;
  mqtt?: string;
  device: string;
  template: MachineConfig['template'];
  scenario?: string;
  driftPpm: number;
  seed: string | number;
  format: 'jsonl' | 'csv';
  maxRateHz: number;
  topic: string;
  commandTopic: string;
  statusTopic: string;
  qos: 0 | 1;
  onClose?: 'exit' | 'reconnect';
  duration?: number;
}

export const EMULATE_TEMPLATES = TEMPLATES;

export const EMULATE_HELP = `
Behaves like the firmware of a device in a machine, for hardware-in-the-loop runs without the hardware: it runs the
twin's physics (a template's defaults, or --scenario's twin with its faults) on its own clock, which drifts by
--drift-ppm, writes its sensors as lines, reads commands and acts on them. Each sensor is sampled one value at a time,
at most --max-rate-hz (faster ones are anti-alias filtered and decimated to it).

Lines it writes (--format jsonl; csv writes the same values as t,seq,<sensors> and meta lines as "# hello {…}"):
  {"type":"hello","device":"pump-1","template":"pump","firmware":"twinbed-emulate/1","sensors":[{"sensor":"accel","unit":"g","rateHz":100},…]}
  {"t":1520.5,"seq":152,"accel":0.0213,"winding-temp":41.2}   t: its clock, ms since power-on; seq: its line counter
  {"type":"ack","id":"step-1","action":"slow-down","outcome":"slowing to 500 rpm over 1 s"}   or "nak" with "error"
  {"type":"bye","device":"pump-1","reason":"SIGTERM"}          when stopped
Commands it reads, one a line: a twinbed cmd as JSON ({"id":"step-1","action":"slow-down","args":{"speedRpm":500}})
or text (slow-down speedRpm=500 rampS=1). A pump or fan knows slow-down, stop and resume; any device knows hello.
On MQTT the lines go to --topic (several to a message), commands come on --command-topic, and --status-topic holds
its retained status, {"status":"online",…hello}, with {"status":"offline"} as its will.

When its port closes (the other end of the pty pair is gone) or its broker connection drops: --on-close exit stops
it (the default on a serial port: the device was unplugged), reconnect keeps it running and tries again every 0.5 s
(the default on MQTT).

Exit codes:
  0  stopped: SIGINT or SIGTERM (it says bye first), --duration reached, or its port closed with --on-close exit
  2  invalid input: a bad flag, an unreadable scenario, a device the scenario does not have, a port it cannot open
  3  twinbed itself failed (stack trace on stderr)

Example, on a socat pty pair:
  socat -d -d pty,raw,echo=0,link=/tmp/ttyA pty,raw,echo=0,link=/tmp/ttyB &
  twinbed emulate --serial /tmp/ttyB --baud 115200 --device pump-1 --template pump --drift-ppm 40 --seed 7
`;

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

export function parseDriftPpm(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || Math.abs(n) > 100_000) throw new InvalidArgumentError('expected ppm within ±100000 (+ runs fast)');
  return n;
}

export function parseRateHz(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 10_000) throw new InvalidArgumentError('expected Hz in (0, 10000]');
  return n;
}

export function parseQos(value: string): 0 | 1 {
  if (value !== '0' && value !== '1') throw new InvalidArgumentError('expected 0 or 1');
  return Number(value) as 0 | 1;
}

/** `twinbed emulate`: a device's firmware on a serial port or MQTT, until stopped. */
export async function runEmulate(flags: EmulateFlags): Promise<number> {
  if ((flags.serial === undefined) === (flags.mqtt === undefined)) {
    throw new ConfigError('twinbed emulate', [{ path: '--serial', message: 'give exactly one of --serial PATH or --mqtt URL' }]);
  }
  if (flags.mqtt !== undefined && !/^(mqtts?|wss?|tcp):\/\//.test(flags.mqtt)) {
    throw new ConfigError('twinbed emulate', [{ path: '--mqtt', message: `expected a broker URL such as mqtt://127.0.0.1:1883, got "${flags.mqtt}"` }]);
  }
  const scenario = flags.scenario ? (await readScenario(flags.scenario)).scenario : undefined;
  const machine = await emulatedMachine({
    device: flags.device,
    template: flags.template,
    ...(scenario ? { scenario } : {}),
    seed: flags.seed,
    driftPpm: flags.driftPpm,
    maxRateHz: flags.maxRateHz,
  });
  const onClose = flags.onClose ?? (flags.serial !== undefined ? 'exit' : 'reconnect');
  const say = (message: string) => process.stderr.write(`twinbed emulate: ${flags.device}: ${message}\n`);
  const emulator = await startEmulator({
    machine,
    transport:
      flags.serial !== undefined
        ? { kind: 'serial', path: flags.serial, baudRate: flags.baud }
        : { kind: 'mqtt', url: flags.mqtt!, topic: flags.topic, commandTopic: flags.commandTopic, statusTopic: flags.statusTopic, qos: flags.qos },
    driftPpm: flags.driftPpm,
    format: flags.format,
    onClose,
    ...(flags.duration !== undefined ? { durationS: flags.duration } : {}),
    log: say,
    logger: stderrLogger(),
  });
  const sensors = machine.channels.map((c) => `${c.sensor}@${c.rateHz}Hz`).join(', ');
  const drift = `${flags.driftPpm >= 0 ? '+' : ''}${flags.driftPpm} ppm`;
  process.stdout.write(`twinbed emulate: ${flags.device} (${machine.template}) ready on ${emulator.description}, ${flags.format}, clock ${drift}, seed ${flags.seed}: ${sensors}\n`);

  const onSignal = (signal: NodeJS.Signals) => {
    void emulator.stop(signal);
    process.once(signal, () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const reason = await emulator.stopped;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  const c = emulator.counters();
  process.stdout.write(`twinbed emulate: ${flags.device} stopped (${reason}): ${c.lines} lines sent, ${c.unsent} unsent, ${c.commands} commands (${c.refused} refused)\n`);
  return EXIT.ok;
}
