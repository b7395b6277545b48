import { beforeAll, describe, expect, it } from 'vitest';
import type { Measurand } from '../../../../twins/channel';
import { initPhysics } from '../../../../twins/motion/index';
import { bytes, conveyor, faults, maxAbs, record, robotArm } from './motion-helpers';

beforeAll(async () => {
  await initPhysics();
});

type Twin = ReturnType<typeof conveyor> | ReturnType<typeof robotArm>;

/** Every sensor's samples over `seconds`, as Float64 and Float32 bytes; the twin is disposed afterwards. */
function run(twin: Twin, seconds: number, blockSamples = 50): Map<string, { f64: Uint8Array; f32: Uint8Array }> {
  const out = record(twin as { measurands: Readonly<Record<string, Measurand>> }, seconds, 100, blockSamples);
  twin.dispose();
  return new Map(Object.entries(out).map(([sensor, values]) => [sensor, bytes(values)]));
}

function concat(head: Float64Array | undefined, tail: Float64Array): Float64Array {
  const out = new Float64Array((head?.length ?? 0) + tail.length);
  if (head) out.set(head);
  out.set(tail, head?.length ?? 0);
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

const conveyorFaults = () =>
  faults({ type: 'belt-slip', device: 'belt-1', atS: 2, growth: 'ramp', rampS: 2, severity: 0.3 }, { type: 'jam', device: 'belt-1', atS: 6, forS: 2 });
const armFaults = () => faults({ type: 'collision', device: 'arm-1', atS: 5, forS: 4, severity: 0.5 });

const builds = {
  conveyor: (seed: number) => conveyor({ speedMS: 1.2 }, conveyorFaults(), seed),
  'robot arm': (seed: number) => robotArm({}, armFaults(), seed),
};

describe('motion twins: same seed, same bytes', () => {
  for (const [name, build] of Object.entries(builds)) {
    it(`${name}: two twins with the same config and seed give byte-identical Float64 and Float32 output on every sensor`, () => {
      const a = build(7);
      const b = build(7);
      // Read the two in lockstep, block by block, so their worlds step interleaved in one WASM memory.
      const outA: Record<string, Float64Array> = {};
      const outB: Record<string, Float64Array> = {};
      for (let startS = 0; startS < 10; startS += 0.5) {
        for (const [twin, out] of [[a, outA], [b, outB]] as const) {
          for (const [sensor, measurand] of Object.entries(twin.measurands)) {
            const block = new Float64Array(50);
            measurand.fill(block, startS, 100);
            out[sensor] = concat(out[sensor], block);
          }
        }
      }
      expect(Object.keys(outA).length).toBeGreaterThanOrEqual(6);
      // The window holds the faults' impacts, the hardest part to reproduce.
      expect(maxAbs(outA['imu-ax']!)).toBeGreaterThan(1);
      for (const sensor of Object.keys(outA)) {
        expect(bytes(outB[sensor]!).f64, sensor).toEqual(bytes(outA[sensor]!).f64);
        expect(bytes(outB[sensor]!).f32, sensor).toEqual(bytes(outA[sensor]!).f32);
      }
      a.dispose();
      b.dispose();
    });

    it(`${name}: a world rebuilt from scratch after the first is freed gives the same bytes`, () => {
      const first = run(build(7), 10);
      const again = run(build(7), 10);
      expect(again.size).toBeGreaterThanOrEqual(6);
      for (const [sensor, value] of first) expect(again.get(sensor), sensor).toEqual(value);
    });

    it(`${name}: the block size channels read in does not change a sample (at 100 Hz, on the physics grid)`, () => {
      const fifties = run(build(7), 10, 50);
      const primes = run(build(7), 10, 37);
      for (const [sensor, value] of fifties) expect(primes.get(sensor)?.f64, sensor).toEqual(value.f64);
    });

    it(`${name}: another seed gives other bytes (the seed reaches the physics)`, () => {
      const seven = run(build(7), 10);
      const eight = run(build(8), 10);
      const differing = [...seven].filter(([sensor, value]) => !sameBytes(value.f64, eight.get(sensor)!.f64));
      expect(differing.length).toBeGreaterThan(0);
    });
  }
});
