import { describe, expect, it } from 'vitest';
import { compareScores } from '../../../../gateway/model/parity';
import { ReferenceScorer } from '../../../../ml/reference';
import { toyModel } from './toy-model';

describe('ReferenceScorer', () => {
  it('scores the 3-feature toy as the hand computation', () => {
    const reference = new ReferenceScorer(toyModel());
    // x = (3, 2, 3): z = (2, 0, 0); t = z·W = √2; ẑ = t·Wᵀ = (1, 1, 0); r = (1, −1, 0); s = 2
    expect(reference.score([3, 2, 3])).toBeCloseTo(2, 6);
    // x = (2, 4, 7): z = (1, 1, 1); ẑ = (1, 1, 0); r = (0, 0, 1); s = 1
    expect(reference.score([2, 4, 7])).toBeCloseTo(1, 6);
    // On the principal axis: z = (1, 1, 0) is reconstructed exactly; s = 0
    expect(reference.score([2, 4, 3])).toBeCloseTo(0, 6);
  });

  it('takes a log feature as log(x/g), and scores a dead channel (x = 0) large but finite through the floor', () => {
    const reference = new ReferenceScorer(toyModel({ log: true }));
    // a = 2e: log(2e/2) = 1, z = (1 − 0)/0.5 = 2, as in the linear toy: s = 2
    expect(reference.score([2 * Math.E, 2, 3])).toBeCloseTo(2, 5);
    // a = 0: log(max(0/2, 10⁻³)) = −6.9078, z_a = −13.8155; r = (z_a/2, −z_a/2, 0); s = z_a²/2 = 95.433
    expect(reference.score([0, 2, 3])).toBeCloseTo(Math.log(1e-3) ** 2 * 2, 3);
  });

  it('takes its inputs as float32 and returns a float32 score, as the ONNX graph does', () => {
    const reference = new ReferenceScorer(toyModel());
    const x = [3.0000001, 2, 3]; // not representable in float32: rounds to 3
    expect(reference.score(x)).toBe(reference.score([3, 2, 3]));
    expect(Math.fround(reference.score(x))).toBe(reference.score(x));
  });

  it('scores packed batches and rows the same as one window at a time', () => {
    const reference = new ReferenceScorer(toyModel());
    const rows = [[3, 2, 3], [2, 4, 7], [2, 4, 3]];
    const one = rows.map((row) => reference.score(row));
    expect(Array.from(reference.scoreBatch(rows.flat()))).toEqual(one);
    expect(Array.from(reference.scoreRows(rows))).toEqual(one);
  });
});

describe('compareScores', () => {
  it('bounds |a − b| / max(1, |b|): absolute below 1, relative above', () => {
    const report = compareScores([0.500004, 1000.004], [0.5, 1000]);
    expect(report.maxAbsDiff).toBeCloseTo(0.004, 9);
    expect(report.maxScaledDiff).toBeCloseTo(4e-6, 9);
    expect(report.withinTolerance).toBe(true);
    expect(compareScores([0.50002], [0.5]).withinTolerance).toBe(false);
    expect(compareScores([0.50002], [0.5]).worst).toEqual({ index: 0, model: 0.50002, reference: 0.5 });
  });

  it('fails on a NaN that the reference does not produce', () => {
    const report = compareScores([1, NaN], [1, 2]);
    expect(report.nonFiniteMismatches).toBe(1);
    expect(report.withinTolerance).toBe(false);
  });
});
