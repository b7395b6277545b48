import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../protocol/index';
import { parseScenario } from '../../../scenarios/index';

// The scenario's `cloud:` section and the load-time checks of the model-lifecycle expectations.

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
/** One pump, lines 1–4; callers append from line 5. */
const onePump = (...rest: string[]) => yaml('name: t', 'durationS: 600', 'twins:', '  - { template: pump, id: pump-1 }', ...rest);

function problems(text: string): string[] {
  try {
    parseScenario(text, 's.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('cloud: in a scenario', () => {
  it('fills the drift policy and the rollout template with the cloud\'s defaults', () => {
    const scenario = parseScenario(onePump('cloud:', '  models: true', '  drift:', '    onDrift: retrain', '    rollout: { groups: [{ gateways: [gw-1] }] }'), 's.yaml');
    expect(scenario.cloud).toEqual({
      models: true,
      drift: {
        psiRaise: 0.25,
        psiClear: 0.1,
        windowCount: 300,
        every: 60,
        onDrift: 'retrain',
        fleetShare: 0.5,
        settleS: 60,
        trainS: 120,
        rollout: { groups: [{ gateways: ['gw-1'] }], successThreshold: 1, errorThreshold: 0, falseAlarm: { windows: 60, maxRate: 0.05 } },
      },
    });
    expect(parseScenario(onePump('cloud: {}'), 's.yaml').cloud).toEqual({ models: false });
    expect(parseScenario(onePump(), 's.yaml').cloud).toBeUndefined();
  });

  it('refuses drift without models, a psiClear above psiRaise, and a misspelt key', () => {
    expect(problems(onePump('cloud:', '  drift: { psiRaise: 0.2 }'))).toEqual(['s.yaml:6 cloud.drift: drift is measured against the active model\'s training data: set cloud.models: true, or drop drift']);
    expect(problems(onePump('cloud:', '  models: true', '  drift: { psiRaise: 0.2, psiClear: 0.3 }'))).toEqual(['s.yaml:7 cloud.drift.psiClear: psiClear must not exceed psiRaise']);
    expect(problems(onePump('cloud:', '  model: true'))).toEqual(['s.yaml:6 cloud.model: unknown field (did you mean "models"?)']);
  });
});

describe('model-lifecycle expectations at load time', () => {
  it('refuses a rollout state or gateway phase that does not exist, naming the nearest', () => {
    expect(problems(onePump('expect:', '  - { type: rollout, id: r1, state: pased, gateways: { gw-1: rolledback } }'))).toEqual([
      's.yaml:6 expect[0].state: unknown rollout state "pased" (did you mean "paused"?)',
      's.yaml:6 expect[0].gateways.gw-1: unknown phase "rolledback" (did you mean "rolled-back"?)',
    ]);
  });

  it('refuses a reply window that ends before it starts, and a code on a reply that is not a refusal', () => {
    expect(problems(onePump('expect:', '  - { type: reply, device: gw-1, action: model.stage, ok: true, code: E_MODEL_SIGNATURE, fromS: 300, toS: 200 }'))).toEqual([
      's.yaml:6 expect[0].code: a code comes with a refusal: set ok: false, or drop code',
      's.yaml:6 expect[0].toS: toS (200 s) must be after fromS (300 s)',
    ]);
  });

  it('refuses an alert window given with a fault or withinS, and a no-alert window that ends before it starts', () => {
    const faulty = onePump('faults:', '  - { type: imbalance, device: pump-1, atS: 100, unbalanceGmm: 20000 }', 'rules:', '  - { metric: rms, above: 0.2 }', 'expect:');
    expect(problems(`${faulty}  - { type: alert, device: pump-1, withinS: 60, afterS: 100 }\n`)).toEqual([
      's.yaml:10 expect[0].afterS: afterS and beforeS are a window of run seconds that replaces withinS: give one or the other',
    ]);
    expect(problems(`${faulty}  - { type: no-alert, rule: drift, afterS: 300, beforeS: 300 }\n`)).toEqual(['s.yaml:10 expect[0].beforeS: beforeS (300 s) must be after afterS (300 s)']);
    expect(problems(`${faulty}  - { type: alert, device: pump-1, rule: drift, afterS: 300 }\n`)).toEqual([]);
  });
});
