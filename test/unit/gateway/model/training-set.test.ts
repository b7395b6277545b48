import { describe, expect, it } from 'vitest';
import { ModelFitError } from '../../../../gateway/model/errors';
import { packWindows } from '../../../../ml/feature-vector';
import { trainingSet } from '../../../../ml/training-set';

describe('trainingSet', () => {
  it('orders inputs rms, peak, crest, then alphabetically, and reports features not every window has', () => {
    const set = trainingSet([
      { rms: 1, peak: 3, crest: 3, kurtosis: 3.1, bandHigh: 0.2, tempC: 40 },
      { rms: 2, peak: 5, crest: 2.5, kurtosis: 2.9, bandHigh: 0.3 },
    ]);
    expect(set.featureNames).toEqual(['rms', 'peak', 'crest', 'bandHigh', 'kurtosis']);
    expect(set.dropped).toEqual(['tempC']);
    expect(Array.from(set.rows[1]!)).toEqual([2, 5, 2.5, 0.3, 2.9]);
  });

  it('keeps a selected order and names the window that lacks a selected feature', () => {
    expect(trainingSet([{ rms: 1, peak: 3, crest: 3, kurtosis: 3 }], ['kurtosis', 'rms']).featureNames).toEqual(['kurtosis', 'rms']);
    expect(() => trainingSet([{ rms: 1, peak: 3, crest: 3 }], ['kurtosis'])).toThrow(ModelFitError);
    expect(() => trainingSet([{ rms: 1, peak: 3, crest: 3 }], ['kurtosis'])).toThrow('window 1 lacks kurtosis');
  });
});

describe('packWindows', () => {
  it('packs the windows that have every input row-major and counts the others', () => {
    const packed = packWindows([{ a: 1, b: 2 }, { a: 3 }, { a: 5, b: NaN }, { a: 7, b: 8 }], ['b', 'a']);
    expect(Array.from(packed.flat)).toEqual([2, 1, 8, 7]);
    expect(packed).toMatchObject({ n: 2, skipped: 2, firstMissing: ['b'] });
  });
});
