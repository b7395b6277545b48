import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandV1 } from '../../../protocol';
import { DriftEstimator, type HardwareDevice, type HardwareReading, type StatusChange } from '../../../scenarios/hardware';
import { until } from './support';

/** A device under the contract, as a factory makes it. */
export interface ContractSubject {
  device: HardwareDevice;
  /** The id it must report in its hello. */
  id: string;
  /** Its sensors and their rates, Hz, as declared (the fastest is checked most closely). */
  rates: Readonly<Record<string, number>>;
  /** The sensor whose vibration a `stop` must bring down. */
  vibration: string;
  /** The drift its clock was given, ppm. */
  driftPpm: number;
  /** Pulls the cable: the pty pair closes, the process dies, the link is cut. */
  cut(): Promise<void>;
  /** Frees what the factory made. */
  dispose(): Promise<void>;
}

/** Tolerance of the drift estimate, ppm: about 1 ms of line delay over a few seconds of readings. */
const DRIFT_TOLERANCE_PPM = 3000;

/**
 * The hardware contract (HardwareDevice): what twinbed needs of any device it binds, checked the same way on a
 * simulated twin, on the emulator over a socat pty pair and on the emulator over MQTT. The tests run in order on one
 * device, as a run would use it: identity and readings first, a command, then the cable pulled.
 */
export function deviceContract(name: string, factory: () => Promise<ContractSubject>): void {
  describe(`the device contract: ${name}`, () => {
    let subject: ContractSubject;
    let device: HardwareDevice;
    const readings: HardwareReading[] = [];
    const statuses: StatusChange[] = [];

    beforeAll(async () => {
      subject = await factory();
      device = subject.device;
      device.on('reading', (r) => readings.push(r));
      device.on('status', (s) => statuses.push(s));
      await device.open();
    });
    afterAll(async () => {
      await subject?.dispose();
    });

    const fastest = () => Object.entries(subject.rates).sort(([, a], [, b]) => b - a)[0]![0];
    const samplesOf = (sensor: string) => readings.filter((r) => r.values.has(sensor));

    it('says who it is: its id, and sensors that match what it is bound as', async () => {
      await until(() => device.identity() !== undefined, `a hello from ${subject.id}`);
      const identity = device.identity()!;
      expect(identity.device).toBe(subject.id);
      for (const [sensor, rateHz] of Object.entries(subject.rates)) expect(identity.sensors).toContainEqual(expect.objectContaining({ sensor, rateHz }));
      await until(() => device.status() === 'online', 'the device online');
    });

    it('sends readings at its declared rates on its own clock, with its counter and clock always moving forward', async () => {
      const sensor = fastest();
      const rate = subject.rates[sensor]!;
      await until(() => samplesOf(sensor).length >= rate * 2.5, `2.5 s of ${sensor}`);
      for (const [name, rateHz] of Object.entries(subject.rates)) {
        const times = samplesOf(name).map((r) => r.deviceMs!);
        expect(times.length, name).toBeGreaterThanOrEqual(2);
        // On its own clock every interval is exactly the sample period.
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `${name} interval ${i}`).toBeCloseTo(1000 / rateHz, 2);
      }
      for (let i = 1; i < readings.length; i++) {
        expect(readings[i]!.seq, 'seq').toBe(readings[i - 1]!.seq! + 1);
        expect(readings[i]!.deviceMs!, 'device clock').toBeGreaterThan(readings[i - 1]!.deviceMs!);
      }
      // How its clock runs against ours is the next test's, on the least delayed reading of each second: arrival
      // times alone swing with the line's bursts and a busy machine (an 11 % excess over 2.5 s under the full suite).
      expect(device.counters().framingErrors).toEqual({});
    });

    it('keeps its own clock: its drift shows in its timestamps against ours', async () => {
      // 3,000 ppm over 8 s leaves 24 ms of uneven line delay to spare; over 3.5 s it left 10 ms, which the full suite's
      // load exceeded on MQTT (3,132 ppm off).
      await until(() => readings.length > 0 && readings.at(-1)!.receivedWallMs - readings[0]!.receivedWallMs >= 8000, '8 s of readings', 30_000);
      const estimator = new DriftEstimator();
      for (const r of readings) estimator.add(r.receivedWallMs, r.deviceMs!);
      expect(Math.abs(estimator.ppm()! - subject.driftPpm)).toBeLessThan(DRIFT_TOLERANCE_PPM);
    });

    it('obeys a command observably: stopped, its vibration falls; a command it does not know is refused', async () => {
      const sensor = subject.vibration;
      const atMs = readings.at(-1)!.deviceMs!;
      const before = rmsOf(samplesOf(sensor), sensor, atMs - 1000, atMs);
      const stop: CommandV1 = { type: 'cmd', v: 1, device: subject.id, tsMs: 0, id: 'contract-stop', action: 'stop', args: { rampS: 0.2 } };
      const outcome = await device.command(stop);
      expect(outcome).toEqual({ result: 'acknowledged', outcome: 'stopping over 0.2 s' });
      await until(() => (readings.at(-1)?.deviceMs ?? 0) >= atMs + 1600, '1.6 s of readings after the stop');
      const after = rmsOf(samplesOf(sensor), sensor, atMs + 800, atMs + 1600);
      expect(after).toBeLessThan(before * 0.2);
      const jump = await device.command({ ...stop, id: 'contract-jump', action: 'jump', args: {} });
      expect(jump.result).toBe('refused');
      expect(jump.outcome).toMatch(/jump/);
      expect(device.counters().commands).toMatchObject({ acknowledged: 1, refused: 1 });
    });

    it('goes offline with a reason when its link is cut mid-run, and never throws', async () => {
      const seen = statuses.length;
      await subject.cut();
      await until(() => device.status() === 'offline', 'the device offline');
      const change = statuses.slice(seen).find((s) => s.status === 'offline');
      expect(change?.reason).toMatch(/\w/);
      // Commanding an offline device is an outcome, not an exception.
      const late = await device.command({ type: 'cmd', v: 1, device: subject.id, tsMs: 0, id: 'contract-late', action: 'resume' });
      expect(late.result).toBe('not sent');
      await device.close();
      expect(device.status()).toBe('offline');
    });
  });
}

/** RMS about the mean of `sensor` over device time [fromMs, toMs). */
function rmsOf(readings: readonly HardwareReading[], sensor: string, fromMs: number, toMs: number): number {
  const xs = readings.filter((r) => r.deviceMs! >= fromMs && r.deviceMs! < toMs).map((r) => r.values.get(sensor)!);
  expect(xs.length, `samples of ${sensor} in [${fromMs}, ${toMs})`).toBeGreaterThan(10);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
}
