import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../../sim/index';
import { LinkModel, type LinkImpairmentInput, type LinkVerdict } from '../../../../sim/link/index';
import { mean, relativeError, runLengths } from './stats';

const SEED = 'link-loss-tests';

/** Offers `count` packets of 100 B, one per ms, and returns the verdicts. */
function offer(impairment: LinkImpairmentInput, count: number, seed = SEED): { model: LinkModel; verdicts: LinkVerdict[] } {
  const model = new LinkModel('edge->cloud', impairment, new RandomStreams(seed).stream('link/edge->cloud'));
  const verdicts: LinkVerdict[] = [];
  for (let i = 0; i < count; i++) verdicts.push(model.transmit({ bytes: 100 }, i));
  return { model, verdicts };
}

const lost = (v: LinkVerdict) => v.kind === 'drop' && v.reason === 'loss';

describe('LinkModel Bernoulli loss', () => {
  const N = 20_000;
  const { model, verdicts } = offer({ loss: 0.2 }, N);
  const flags = verdicts.map(lost);

  it(`measures a configured 20% loss at 20% ± 2% over ${N.toLocaleString('en')} packets`, () => {
    const rate = flags.filter(Boolean).length / N;
    expect(rate, `measured loss ${(100 * rate).toFixed(2)}%`).toBeGreaterThanOrEqual(0.18);
    expect(rate, `measured loss ${(100 * rate).toFixed(2)}%`).toBeLessThanOrEqual(0.22);
    expect(model.counters().dropped.loss).toBe(flags.filter(Boolean).length);
    expect(model.counters().delivered).toBe(N - flags.filter(Boolean).length);
  });

  it('loses packets independently: P(loss | previous lost) is 20% ± 2%, not bursty', () => {
    let afterLoss = 0;
    let lostAfterLoss = 0;
    for (let i = 1; i < N; i++) {
      if (!flags[i - 1]) continue;
      afterLoss++;
      if (flags[i]) lostAfterLoss++;
    }
    const conditional = lostAfterLoss / afterLoss;
    expect(conditional, `P(loss | previous lost) = ${(100 * conditional).toFixed(2)}%`).toBeGreaterThanOrEqual(0.18);
    expect(conditional, `P(loss | previous lost) = ${(100 * conditional).toFixed(2)}%`).toBeLessThanOrEqual(0.22);
  });

  it('never loses at loss 0 and always loses at loss 1', () => {
    expect(offer({ loss: 0 }, 10_000).verdicts.filter(lost)).toHaveLength(0);
    expect(offer({ loss: 1 }, 10_000).verdicts.filter(lost)).toHaveLength(10_000);
  });
});

describe('LinkModel Gilbert–Elliott loss', () => {
  const N = 200_000;
  const p = 0.02; // good → bad
  const r = 0.25; // bad → good
  const piBad = p / (p + r); // stationary π_B = p/(p + r) = 7.41%

  it(`with lossBad 1 and lossGood 0, loses in bursts of mean length 1/pBadToGood = 4 (± 10%) over ${N.toLocaleString('en')} packets`, () => {
    const { verdicts } = offer({ gilbertElliott: { pGoodToBad: p, pBadToGood: r } }, N);
    const bursts = runLengths(verdicts.map(lost));
    const meanBurst = mean(bursts);
    expect(bursts.length, 'enough bursts to measure').toBeGreaterThan(1_000);
    expect(relativeError(meanBurst, 1 / r), `mean burst ${meanBurst.toFixed(3)} packets, expected 4`).toBeLessThan(0.1);
  });

  it(`loses π_B = p/(p + r) = ${(100 * piBad).toFixed(2)}% of packets overall (± 10%)`, () => {
    const { verdicts, model } = offer({ gilbertElliott: { pGoodToBad: p, pBadToGood: r } }, N);
    const rate = verdicts.filter(lost).length / N;
    expect(relativeError(rate, piBad), `measured ${(100 * rate).toFixed(2)}%`).toBeLessThan(0.1);
    expect(model.counters().dropped.loss).toBe(verdicts.filter(lost).length);
  });

  it('with lossGood 1% and lossBad 50%, loses π_G·1% + π_B·50% = 4.63% (± 10%)', () => {
    const { verdicts } = offer({ gilbertElliott: { pGoodToBad: p, pBadToGood: r, lossGood: 0.01, lossBad: 0.5 } }, N);
    const expected = (1 - piBad) * 0.01 + piBad * 0.5;
    const rate = verdicts.filter(lost).length / N;
    expect(relativeError(rate, expected), `measured ${(100 * rate).toFixed(2)}%, expected ${(100 * expected).toFixed(2)}%`).toBeLessThan(0.1);
  });

  it('keeps its chain state across set(): a link in the bad state stays bad under a new chain with pGoodToBad 0', () => {
    const model = new LinkModel('a->b', { gilbertElliott: { pGoodToBad: 1, pBadToGood: 1e-9 } }, new RandomStreams(SEED).stream('ge'));
    expect(model.transmit({ bytes: 1 }, 0)).toEqual({ kind: 'drop', reason: 'loss' });
    model.set({ gilbertElliott: { pGoodToBad: 0, pBadToGood: 1e-9 } }, 1);
    for (let i = 0; i < 100; i++) expect(model.transmit({ bytes: 1 }, 2 + i)).toEqual({ kind: 'drop', reason: 'loss' });
  });
});
