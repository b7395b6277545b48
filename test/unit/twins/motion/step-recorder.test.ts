import { describe, expect, it } from 'vitest';
import { MotionError } from '../../../../twins/motion/index';
import { StepRecorder } from '../../../../twins/motion/step-recorder';

/** A recorder at 200 Hz whose step k holds the value k (and k² in column 1), counting the steps it runs. */
function rampRecorder(historyS = 10) {
  const counter = { steps: 0 };
  const recorder = new StepRecorder({
    stepHz: 200,
    initial: [0, 0],
    historyS,
    step: (k, row) => {
      counter.steps++;
      row[0] = k;
      row[1] = k * k;
    },
  });
  return { recorder, counter };
}

/** ∫₀ᵘ ceil(x) dx for u ≥ 0: the area under the staircase whose step k (on (k−1, k]) holds k. */
function staircaseArea(u: number): number {
  const n = Math.ceil(u);
  return (n * (n - 1)) / 2 + n * (u - (n - 1));
}

describe('StepRecorder', () => {
  it('reports the mean of the whole steps in each sample period when the rate divides the step rate', () => {
    const { recorder } = rampRecorder();
    const out = new Float64Array(5);
    recorder.measurand(0, 'x').fill(out, 0.01, 100);
    // The sample at t = i/100 s covers steps 2i − 1 and 2i: mean 2i − 0.5.
    expect(Array.from(out)).toEqual([1.5, 3.5, 5.5, 7.5, 9.5]);
  });

  it('integrates the steps it spans in part when the rate does not divide the step rate (120 Hz over 200 Hz)', () => {
    const { recorder } = rampRecorder();
    const out = new Float64Array(12);
    recorder.measurand(0, 'x').fill(out, 1, 120);
    for (let i = 0; i < out.length; i++) {
      const u1 = (1 + i / 120) * 200;
      const u0 = u1 - 200 / 120;
      expect(out[i]).toBeCloseTo((staircaseArea(u1) - staircaseArea(u0)) / (u1 - u0), 9);
    }
  });

  it('keeps a one-step impulse at any sample rate: its area is the same at 100, 120 and 30 Hz', () => {
    for (const rateHz of [100, 120, 30]) {
      const recorder = new StepRecorder({ stepHz: 200, initial: [0], historyS: 10, step: (k, row) => (row[0] = k === 37 ? 200 : 0) });
      const out = new Float64Array(rateHz);
      recorder.measurand(0, 'x').fill(out, 0, rateHz);
      // 200 units held for one 5 ms step: an area of 1 unit·s, wherever the sample periods fall.
      expect(out.reduce((sum, v) => sum + v / rateHz, 0)).toBeCloseTo(1, 12);
    }
  });

  it('reads the value before the run for samples whose period reaches before t = 0', () => {
    const recorder = new StepRecorder({ stepHz: 200, initial: [7], historyS: 10, step: (_k, row) => (row[0] = 1) });
    const out = new Float64Array(2);
    recorder.measurand(0, 'x').fill(out, 0, 100);
    // t = 0 covers (−10 ms, 0]: all before the run; t = 10 ms covers steps 1 and 2.
    expect(Array.from(out)).toEqual([7, 1]);
  });

  it('runs the simulation once for several measurands reading the same block', () => {
    const { recorder, counter } = rampRecorder();
    const a = new Float64Array(100);
    const b = new Float64Array(100);
    recorder.measurand(0, 'x').fill(a, 0, 100);
    recorder.measurand(1, 'x²').fill(b, 0, 100);
    expect(counter.steps).toBe(198);
    expect(recorder.newestStep).toBe(198);
    expect(b[10]).toBeCloseTo((19 * 19 + 20 * 20) / 2, 12);
  });

  it('serves a block longer than its history, and refuses a reader that fell behind it', () => {
    const { recorder } = rampRecorder(1);
    const long = new Float64Array(300);
    recorder.measurand(0, 'x').fill(long, 0, 100);
    expect(long[299]).toBe(597.5);
    const ahead = new Float64Array(100);
    recorder.measurand(0, 'x').fill(ahead, 3, 100);
    recorder.measurand(0, 'x').fill(ahead, 5, 100);
    let error: unknown;
    try {
      recorder.measurand(1, 'x²').fill(new Float64Array(100), 0, 100);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MotionError);
    expect((error as MotionError).code).toBe('E_MOTION_HISTORY');
    expect((error as MotionError).message).toMatch(/raise historyS/);
  });
});
