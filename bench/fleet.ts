// Fleet load benchmark: 10,000 devices at 1 Hz, QoS 1, from one twinbed process (`twinbed twins`, the built CLI)
// against a Mosquitto the bench starts, then the same load from one default mqtt.connect() client per device
// (bench/fleet-naive.mjs), one after the other, each against a fresh Mosquitto. Each runs as its own process, so
// the CPU and RSS are that load generator's own, the benchmark's and the broker's left out.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetLoadReport } from '../scenarios';
import { startMosquitto } from '../test/integration/proxy/mosquitto';
import { machineLine } from './machine';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIO = 'scenarios/library/fleet-1hz.yaml';
/** The scenario has 10 twins; ×1000 makes 10,000 devices, each one message a second. */
const SCALE = 1000;
const RATE_HZ = 1;
/** Broker limits raised for 10,000 clients: no connection cap, deep queues, no log line per connection. */
const MOSQUITTO_CONFIG = ['max_connections -1', 'max_queued_messages 100000', 'max_inflight_messages 0', 'connection_messages false', 'log_type error'];

export interface FleetBenchResult {
  devices: number;
  /** Devices connected ÷ devices. */
  connectedRatio: number;
  /** Messages acknowledged a second over the run (first block to last PUBACK). */
  msgPerSec: number;
  pubackP50Ms: number;
  pubackP99Ms: number;
  pubackMaxMs: number;
  /** Messages the scenario intends, sent, acknowledged. */
  intended: number;
  sent: number;
  acked: number;
  /** (Peak RSS − RSS before the fleet) of the twinbed process ÷ thousands of devices, MB: what to provision. */
  rssMbPerThousandDevices: number;
  /** The same from its lowest RSS while publishing: about the live footprint, garbage collected. */
  rssLowMbPerThousandDevices: number;
  rssPeakMb: number;
  /** CPU µs per acknowledged message while publishing (connecting left out), twinbed and naive. */
  cpuUsPerMessage: number;
  naiveCpuUsPerMessage: number;
  /** Naive CPU per message ÷ twinbed CPU per message, while publishing: > 1 means twinbed is cheaper. */
  naiveRatio: number;
  /** The same over each whole run, connecting included. */
  naiveRatioWholeRun: number;
  naive: {
    connected: number;
    msgPerSec: number;
    acked: number;
    sent: number;
    pubackP50Ms: number;
    pubackP99Ms: number;
    rssMbPerThousandDevices: number;
    rssLowMbPerThousandDevices: number;
    rssPeakMb: number;
  };
  connectWallS: number;
  seconds: number;
  payloadBytes: number;
  /** 1-minute load average before each run: above the core count, other work shared the machine. */
  loadAverage: { twinbed: number; naive: number };
}

/** @param seconds length of each run (60 for the figures in the README; less for a smoke run) */
export async function fleetBench(seconds = 60): Promise<FleetBenchResult> {
  await run(process.execPath, ['scripts/build.mjs']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'twinbed-bench-fleet-'));
  try {
    const twinsLoad = os.loadavg()[0]!;
    const report = await withMosquitto(async (url) => {
      const target = path.join(dir, 'target.yaml');
      await writeFile(target, targetYaml(url));
      const file = path.join(dir, 'report.json');
      // Exit 1 is a load that did not land in full: the figures say where it fell short.
      await run(process.execPath, ['bin/twinbed.js', 'twins', SCENARIO, '--target', target, '--scale', String(SCALE), '--duration', String(seconds), '--time-scale', '1', '--report', file], [0, 1]);
      return JSON.parse(await readFile(file, 'utf8')) as FleetLoadReport;
    });
    const payloadBytes = Math.round(report.bytes / Math.max(1, report.messages.sent));
    const naiveLoad = os.loadavg()[0]!;
    const naive = await withMosquitto(async (url) => {
      const out = await run(process.execPath, [fileURLToPath(new URL('./fleet-naive.mjs', import.meta.url)), url, String(report.devices.inShard), String(RATE_HZ), String(seconds), String(payloadBytes)]);
      return JSON.parse(out.trim().split('\n').at(-1)!) as NaiveResult;
    });
    const devices = report.devices.inShard;
    const perK = devices / 1000;
    const us = (cpuS: number, messages: number) => (cpuS / Math.max(1, messages)) * 1e6;
    const ours = us(report.process.publishCpuS, report.messages.acked);
    const theirs = us(naive.publishCpuS, naive.acked);
    const round = (x: number, digits = 2) => Number(x.toFixed(digits));
    return {
      devices,
      connectedRatio: round(report.connections.devicesConnected / devices, 4),
      msgPerSec: Math.round(report.messages.achievedPerS),
      pubackP50Ms: round(report.pubackMs.p50, 3),
      pubackP99Ms: round(report.pubackMs.p99, 3),
      pubackMaxMs: round(report.pubackMs.max, 3),
      intended: report.messages.intended,
      sent: report.messages.sent,
      acked: report.messages.acked,
      rssMbPerThousandDevices: round((report.process.rssPeakMb - report.process.rssBeforeMb) / perK, 1),
      rssLowMbPerThousandDevices: round((report.process.rssLowMb - report.process.rssBeforeMb) / perK, 1),
      rssPeakMb: round(report.process.rssPeakMb, 0),
      cpuUsPerMessage: round(ours, 1),
      naiveCpuUsPerMessage: round(theirs, 1),
      naiveRatio: round(theirs / ours),
      naiveRatioWholeRun: round(us(naive.cpuS, naive.acked) / us(report.process.cpuS, report.messages.acked)),
      naive: {
        connected: naive.connected,
        msgPerSec: Math.round(naive.acked / naive.publishS),
        acked: naive.acked,
        sent: naive.sent,
        pubackP50Ms: round(naive.pubackP50Ms, 3),
        pubackP99Ms: round(naive.pubackP99Ms, 3),
        rssMbPerThousandDevices: round((naive.rssPeakMb - naive.rssBeforeMb) / perK, 1),
        rssLowMbPerThousandDevices: round((naive.rssLowMb - naive.rssBeforeMb) / perK, 1),
        rssPeakMb: round(naive.rssPeakMb, 0),
      },
      connectWallS: report.connectWallS,
      seconds,
      payloadBytes,
      loadAverage: { twinbed: round(twinsLoad), naive: round(naiveLoad) },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatFleet(r: FleetBenchResult): string {
  const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const int = (n: number) => n.toLocaleString('en');
  return [
    `fleet: ${int(r.devices)} devices × ${RATE_HZ} Hz, QoS 1, ${r.payloadBytes}-byte payloads, ${r.seconds} s each, against Mosquitto (limits raised), one process each, on ${machineLine()}`,
    `  load average before: ${r.loadAverage.twinbed} (twinbed), ${r.loadAverage.naive} (naive); above ${os.cpus().length}, other work shared the machine`,
    `  naive, one default mqtt.connect() client per device (baseline): ${int(r.naive.connected)} connected, ${int(r.naive.msgPerSec)} msg/s acked ` +
      `(${int(r.naive.acked)} of ${int(r.naive.sent)}), PUBACK p50 ${r.naive.pubackP50Ms} ms p99 ${r.naive.pubackP99Ms} ms, ` +
      `${r.naiveCpuUsPerMessage} µs CPU a message, RSS per 1,000 devices ${r.naive.rssMbPerThousandDevices} MB at the peak (${r.naive.rssPeakMb} MB), ${r.naive.rssLowMbPerThousandDevices} MB at the low`,
    `  twinbed twins ${SCENARIO} --scale ${SCALE}: ${int(Math.round(r.connectedRatio * r.devices))} connected in ${r.connectWallS} s, ${int(r.msgPerSec)} msg/s acked ` +
      `(${int(r.acked)} of ${int(r.sent)} sent, ${int(r.intended)} intended), PUBACK p50 ${r.pubackP50Ms} ms p99 ${r.pubackP99Ms} ms max ${r.pubackMaxMs} ms, ` +
      `${r.cpuUsPerMessage} µs CPU a message, RSS per 1,000 devices ${r.rssMbPerThousandDevices} MB at the peak (${r.rssPeakMb} MB), ${r.rssLowMbPerThousandDevices} MB at the low`,
    `  naiveRatio ×${r.naiveRatio}: naive CPU per message ÷ twinbed CPU per message while publishing (>1: twinbed is cheaper; ×${r.naiveRatioWholeRun} over the whole runs, connecting included)`,
    '  (twinbed computes each reading: physics, sensor model, CBOR envelope and a running SHA-256 per device; the naive clients send one constant buffer)',
    `  RSS swings with garbage-collection timing: the peak is what to provision, the low (sampled each second while publishing) about the live footprint`,
    `  targets: every device connected ${check(r.connectedRatio === 1)}; ≥ 9,900 msg/s ${check(r.msgPerSec >= 9900)}; ` +
      `PUBACK p99 < 100 ms ${check(r.pubackP99Ms < 100)}; every message acknowledged ${check(r.acked === r.sent && r.sent === r.intended)}`,
  ].join('\n');
}

interface NaiveResult {
  devices: number;
  connected: number;
  sent: number;
  acked: number;
  publishS: number;
  cpuS: number;
  publishCpuS: number;
  rssBeforeMb: number;
  rssLowMb: number;
  rssPeakMb: number;
  pubackP50Ms: number;
  pubackP99Ms: number;
}

async function withMosquitto<T>(use: (url: string) => Promise<T>): Promise<T> {
  const broker = await startMosquitto(MOSQUITTO_CONFIG);
  try {
    return await use(`mqtt://127.0.0.1:${broker.port}`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- mosquitto ---\n${broker.output().slice(-2000)}`, { cause: error });
  } finally {
    await broker.close();
  }
}

function targetYaml(url: string): string {
  return [
    'kind: mqtt',
    'devices:',
    `  url: ${url}`,
    '  connectTimeoutMs: 60000',
    'observe:   # not used by twinbed twins',
    '  topics:',
    "    - { filter: 'unused/+/event', as: alert, fields: { device: device, time: tsMs } }",
    '',
  ].join('\n');
}

/** Runs a command to completion in the repository; rejects with its output on another exit code. Resolves with stdout. */
function run(command: string, args: readonly string[], okCodes: readonly number[] = [0]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== null && okCodes.includes(code)) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${out.slice(-3000)}\n${err.slice(-3000)}`));
    });
  });
}
