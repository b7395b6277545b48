import { describe, expect, it } from 'vitest';
import { encodeMessage, filters } from '../../../../protocol';
import { lifecycleEvidence } from '../../../../scenarios/expectations/index';
import { ObservationLog, TopicObservationSchema } from '../../../../scenarios/target';
import { evidence, judge, START_MS } from './fixture';

const rolloutSpec = TopicObservationSchema.parse({ filter: filters.rollout(), as: 'rollout' });
const replySpec = TopicObservationSchema.parse({ filter: filters.reply(), as: 'reply' });

describe('lifecycle evidence: from what the observer read to what expectations judge', () => {
  it('carries rollout statuses and replies with their event times as run seconds', () => {
    const log = new ObservationLog();
    const gateways = [{ gateway: 'gw-1', group: 1, phase: 'finished' as const, windows: 60, overRate: 0.0 }];
    log.add(rolloutSpec, 'twinbed-cloud/v1/rollout/drift-1-1-0', encodeMessage({ type: 'rollout', v: 1, id: 'drift-1-1-0', version: '1.1.0', state: 'running', group: 1, groups: 1, tsMs: START_MS + 300_000, gateways: [] }), 0);
    log.add(rolloutSpec, 'twinbed-cloud/v1/rollout/drift-1-1-0', encodeMessage({ type: 'rollout', v: 1, id: 'drift-1-1-0', version: '1.1.0', state: 'finished', group: 1, groups: 1, tsMs: START_MS + 412_500, gateways }), 0);
    const refusal = { type: 'reply', v: 1, device: 'gw-1', tsMs: START_MS + 130_000, id: 'c-1', action: 'model.stage', ok: false, code: 'E_MODEL_SIGNATURE', error: 'bad signature' } as const;
    log.add(replySpec, 'twinbed/v1/site-1/gw-1/reply', encodeMessage(refusal), 0);

    const observed = lifecycleEvidence(log, START_MS);
    expect(observed.replies).toEqual([{ device: 'gw-1', tsMs: START_MS + 130_000, atS: 130, action: 'model.stage', ok: false, code: 'E_MODEL_SIGNATURE', error: 'bad signature' }]);
    expect(observed.rollouts.get('drift-1-1-0')!.map((s) => [s.state, s.atS])).toEqual([
      ['running', 300],
      ['finished', 412.5],
    ]);

    const run = evidence(observed);
    expect(judge({ type: 'rollout', id: 'drift-1-1-0', state: 'finished', gateways: { 'gw-1': 'finished' }, withinS: 120 }, run)).toMatchObject({
      passed: true,
      detail: 'rollout drift-1-1-0 finished at 412.5 s, 112.5 s after its first status at 300 s (group 1/1; gw-1 finished 60 windows, 0% over)',
    });
    expect(judge({ type: 'reply', device: 'gw-1', action: 'model.stage', ok: false, code: 'E_MODEL_SIGNATURE', toS: 200 }, run).passed).toBe(true);
  });
});
