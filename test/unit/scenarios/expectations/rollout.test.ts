import { describe, expect, it } from 'vitest';
import type { RolloutStatusEvidence } from '../../../../scenarios/expectations/index';
import { evidence, judge, START_MS } from './fixture';

type Gateway = RolloutStatusEvidence['gateways'][number];

/** Gateway gw-a or gw-b in group 1 or 2 of a rollout status. */
const gw = (gateway: string, phase: Gateway['phase'], windows = 0, more: Partial<Gateway> = {}): Gateway => ({ gateway, group: gateway === 'gw-a' ? 1 : 2, phase, windows, ...more });

/** Rollout r2 (model 1.1.0, two groups) as the cloud published it `atS` seconds into the run. */
function status(atS: number, state: RolloutStatusEvidence['state'], gateways: Gateway[], more: Partial<RolloutStatusEvidence> = {}): RolloutStatusEvidence {
  return { type: 'rollout', v: 1, id: 'r2', version: '1.1.0', state, group: 1, groups: 2, tsMs: START_MS + atS * 1000, atS, gateways, ...more };
}

const started = status(10, 'running', [gw('gw-a', 'staging'), gw('gw-b', 'pending')]);
const observing = status(40, 'running', [gw('gw-a', 'observing', 12), gw('gw-b', 'pending')]);
const paused = status(95, 'paused', [gw('gw-a', 'rolled-back', 60, { overRate: 0.12, reason: 'false alarms above 5%' }), gw('gw-b', 'pending')], { reason: 'error threshold crossed in group 1' });
const rollouts = (...statuses: RolloutStatusEvidence[]) => evidence({ rollouts: new Map([['r2', statuses]]) });

describe('rollout: the last observed status of a staged rollout', () => {
  it('passes on the last state and each gateway\'s last phase, saying when it got there and quoting the status', () => {
    const result = judge({ type: 'rollout', id: 'r2', state: 'paused', gateways: { 'gw-a': 'rolled-back', 'gw-b': 'pending' } }, rollouts(started, observing, paused));
    expect(result).toEqual({
      name: 'rollout r2 paused with gw-a rolled-back, gw-b pending',
      type: 'rollout',
      passed: true,
      detail:
        'rollout r2 paused at 95 s, 85 s after its first status at 10 s (group 1/2, reason: error threshold crossed in group 1; gw-a rolled-back 60 windows, 12% over: false alarms above 5%; gw-b pending 0 windows)',
    });
  });

  it('fails when the last state is another, quoting its group and each gateway\'s phase and windows', () => {
    const result = judge({ type: 'rollout', id: 'r2', state: 'paused' }, rollouts(started, observing));
    expect(result).toEqual({
      name: 'rollout r2 paused',
      type: 'rollout',
      passed: false,
      detail: 'rollout r2 is running, not paused (group 1/2; gw-a observing 12 windows; gw-b pending 0 windows)',
    });
  });

  it('fails on a gateway in another phase, or not in the rollout at all', () => {
    const result = judge({ type: 'rollout', id: 'r2', state: 'paused', gateways: { 'gw-a': 'finished', 'gw-c': 'finished' } }, rollouts(started, paused));
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(
      'rollout r2 is paused, but gw-a is rolled-back, not finished, gw-c is not in it (group 1/2, reason: error threshold crossed in group 1; gw-a rolled-back 60 windows, 12% over: false alarms above 5%; gw-b pending 0 windows)',
    );
  });

  it('with withinS, counts from the first observed status to where the state was reached for good', () => {
    const expectation = { type: 'rollout', id: 'r2', state: 'paused', withinS: 60 };
    expect(judge(expectation, rollouts(started, observing, paused))).toMatchObject({
      name: 'rollout r2 paused within 60 s of its first status',
      passed: false,
      detail: expect.stringMatching(/^rollout r2 became paused at 95 s, 85 s after its first status at 10 s, 25 s past the 60 s limit \(group 1\/2/),
    });
    expect(judge({ ...expectation, withinS: 90 }, rollouts(started, observing, paused)).passed).toBe(true);
    // Paused at 20 s, resumed at 30 s, paused again at 80 s: it stayed paused only from 80 s, 70 s after the start.
    const flapping = rollouts(started, status(20, 'paused', started.gateways), status(30, 'running', started.gateways), status(80, 'paused', started.gateways));
    expect(judge(expectation, flapping).detail).toMatch(/^rollout r2 became paused at 80 s, 70 s after its first status at 10 s, 10 s past the 60 s limit/);
  });

  it('says so when the first observed status is already the expected one', () => {
    const finished = status(300, 'finished', [gw('gw-a', 'finished', 60, { overRate: 0 }), gw('gw-b', 'finished', 61, { overRate: 0.0164 })], { group: 2 });
    expect(judge({ type: 'rollout', id: 'r2', state: 'finished', withinS: 1 }, rollouts(finished))).toMatchObject({
      passed: true,
      detail: 'rollout r2 finished at 300 s, its first observed status (group 2/2; gw-a finished 60 windows, 0% over; gw-b finished 61 windows, 1.64% over)',
    });
  });

  it('fails for a rollout never observed, naming the rollouts that were', () => {
    expect(judge({ type: 'rollout', id: 'r9', state: 'finished' }, rollouts(started, paused)).detail).toBe('no status of rollout r9 was observed; observed: r2 paused');
    expect(judge({ type: 'rollout', id: 'r9', state: 'finished' }, evidence()).detail).toBe('no status of rollout r9 was observed; no rollout at all was observed');
  });
});
