import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HardwareBindingSchema, lineDeviceFor, type LineDevice, type StatusChange } from '../../scenarios/hardware';
import { startBroker } from '../../sim';
import { emulator, ptyPair, until } from '../integration/hardware/support';
import { runTwinbed } from '../support/twinbed-process';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-emulate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** twinbed's side of a pty pair, as a run would bind it. */
function hostSide(path: string, extra: Record<string, unknown> = {}): { device: LineDevice; statuses: StatusChange[] } {
  const binding = HardwareBindingSchema.parse({ device: 'pump-1', serial: { path, reopenMs: 0 }, sensors: { accel: { unit: 'g', rateHz: 100 } }, ...extra });
  const device = lineDeviceFor(binding, 'mqtt://unused');
  const statuses: StatusChange[] = [];
  device.on('status', (s) => statuses.push(s));
  return { device, statuses };
}

describe('twinbed emulate', () => {
  it('documents its line protocol, commands and exit codes in --help', async () => {
    const { code, stdout } = await runTwinbed(['emulate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('{"t":1520.5,"seq":152,"accel":0.0213,"winding-temp":41.2}');
    expect(stdout).toContain('slow-down speedRpm=500 rampS=1');
    expect(stdout).toMatch(/Exit codes:\n {2}0 {2}stopped/);
  });

  it('exits 2 on invalid input, saying what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--device', 'pump-1'], /give exactly one of --serial PATH or --mqtt URL/],
      [['--device', 'pump-1', '--mqtt', '127.0.0.1:1883'], /expected a broker URL such as mqtt:\/\/127\.0\.0\.1:1883/],
      [['--device', 'pump-1', '--serial', '/tmp/x', '--drift-ppm', 'fast'], /expected ppm within ±100000/],
      [['--device', 'pump-1', '--serial', '/tmp/x', '--template', 'boiler'], /Allowed choices are pump, fan, conveyor, robot-arm, environment/],
      [['--device', 'pump-1', '--serial', join(tmpdir(), 'no-such-tty')], /hardware pump-1: cannot open serial port .*no-such-tty \(No such file or directory\): check the path/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await runTwinbed(['emulate', ...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toMatch(message);
    }
  });

  it('takes its twin from a scenario, and exits 2 naming the twins when the scenario has not that device', async () => {
    const file = join(dir, 'plant.yaml');
    await writeFile(file, 'name: plant\ndurationS: 10\ntwins:\n  - { template: fan, id: fan-1 }\n');
    const { code, stderr } = await runTwinbed(['emulate', '--serial', '/tmp/x', '--device', 'pump-9', '--scenario', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('the scenario has no twin "pump-9" (twins: fan-1)');
  });

  it('says bye on SIGTERM and exits 0', async () => {
    const pty = await ptyPair(dir);
    const proc = await emulator(['--serial', pty.device, '--device', 'pump-1']);
    const { device, statuses } = hostSide(pty.host);
    try {
      await device.open();
      await until(() => device.counters().readings > 20, 'readings');
      expect(await proc.stop()).toBe(0);
      await until(() => statuses.some((s) => s.status === 'offline'), 'the bye');
      expect(statuses.at(-1)).toMatchObject({ status: 'offline', reason: 'the device said bye (SIGTERM)' });
      expect(proc.stdout()).toMatch(/pump-1 stopped \(SIGTERM\): \d+ lines sent/);
    } finally {
      await device.close();
      await pty.close();
    }
  });

  it('writes CSV and reads text commands, as a bare microcontroller would', async () => {
    const pty = await ptyPair(dir);
    const proc = await emulator(['--serial', pty.device, '--device', 'pump-1', '--format', 'csv', '--max-rate-hz', '50']);
    const { device } = hostSide(pty.host, { format: 'csv', columns: ['t', 'seq', 'accel', 'winding-temp', 'bearing-temp'], commands: 'text', sensors: { accel: { unit: 'g', rateHz: 50 } } });
    try {
      await device.open();
      await until(() => device.identity() !== undefined && device.counters().readings > 60, 'a hello and readings');
      expect(device.identity()?.sensors?.[0]).toEqual({ sensor: 'accel', unit: 'g', rateHz: 50 });
      const outcome = await device.command({ type: 'cmd', v: 1, device: 'pump-1', tsMs: 0, id: 'x', action: 'slow-down', args: { speedRpm: 700, rampS: 2 } });
      expect(outcome).toEqual({ result: 'acknowledged', outcome: 'slowing to 700 rpm over 2 s' });
      expect(device.counters().framingErrors).toEqual({});
    } finally {
      await device.close();
      await proc.stop();
      await pty.close();
    }
  });

  it('with --on-close reconnect, outlives its port and says hello on the new one', async () => {
    const pty = await ptyPair(dir);
    const proc = await emulator(['--serial', pty.device, '--device', 'pump-1', '--on-close', 'reconnect']);
    try {
      await pty.close();
      await until(() => proc.stderr().includes('waiting for it to come back'), 'the emulator to see its port go');
      const again = await ptyPair(dir);
      const { device } = hostSide(again.host);
      try {
        await device.open();
        await until(() => device.identity()?.device === 'pump-1' && device.counters().readings > 10, 'a hello and readings on the new pair');
        expect(proc.child.exitCode).toBeNull();
      } finally {
        await device.close();
        await again.close();
      }
    } finally {
      await proc.stop();
    }
  });

  it('on MQTT, stops after --duration with its status left offline, and exits 0', async () => {
    const broker = await startBroker();
    try {
      const proc = await emulator(['--mqtt', broker.url, '--device', 'pump-1', '--duration', '1']);
      const binding = HardwareBindingSchema.parse({ device: 'pump-1', mqtt: { url: broker.url }, sensors: { accel: { unit: 'g', rateHz: 100 } } });
      const device = lineDeviceFor(binding, broker.url);
      const statuses: StatusChange[] = [];
      device.on('status', (s) => statuses.push(s));
      await device.open();
      expect(await proc.exited).toBe(0);
      await until(() => statuses.some((s) => s.status === 'offline'), 'offline');
      expect(statuses.find((s) => s.status === 'offline')?.reason).toMatch(/duration reached/);
      await device.close();
    } finally {
      await broker.close();
    }
  });
});
