import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeMessage, topics, type EventV1, type ReplyV1, type RolloutV1 } from '../../../../protocol';
import { ObservationLog, TopicObservationSchema, topicMatches, TWINBED_OBSERVATION, type TopicObservation } from '../../../../scenarios/target';

// The model lifecycle as the observer reads it: the cloud's retained rollout statuses and the gateways' replies.

const T0 = Date.parse('2026-01-01T00:00:00Z');
const RECEIVED = T0 + 99_000;
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const spec = (input: z.input<typeof TopicObservationSchema>): TopicObservation => TopicObservationSchema.parse(input);

/** Feeds one message to every built-in subscription whose filter matches its topic, as the Observer does. */
function observe(log: ObservationLog, topic: string, payload: Uint8Array): void {
  const specs = TWINBED_OBSERVATION.topics.filter((t) => topicMatches(t.filter, topic));
  expect(specs.length, `no built-in subscription matches ${topic}`).toBe(1);
  log.add(specs[0]!, topic, payload, RECEIVED);
}

const rollout = (id: string, state: RolloutV1['state'], tsMs: number, phase: RolloutV1['gateways'][number]['phase'] = 'observing'): RolloutV1 => ({
  type: 'rollout',
  v: 1,
  id,
  version: '1.1.0',
  state,
  group: 1,
  groups: 2,
  tsMs,
  gateways: [{ gateway: 'gw-a', group: 1, phase, windows: 12 }],
});

describe('ObservationLog rollouts', () => {
  it('keeps every status of each rollout by id, in arrival order, from JSON or CBOR', () => {
    const log = new ObservationLog();
    observe(log, topics.rollout('r1'), encodeMessage(rollout('r1', 'running', T0 + 10_000), 'json'));
    observe(log, topics.rollout('r2'), encodeMessage(rollout('r2', 'running', T0 + 20_000), 'cbor'));
    const paused = { ...rollout('r1', 'paused', T0 + 95_000, 'rolled-back'), reason: 'error threshold crossed' };
    observe(log, topics.rollout('r1'), encodeMessage(paused, 'json'));
    expect([...log.rollouts.keys()]).toEqual(['r1', 'r2']);
    expect(log.rollouts.get('r1')).toEqual([rollout('r1', 'running', T0 + 10_000), paused]);
    expect(log.rollouts.get('r2')!.map((s) => s.state)).toEqual(['running']);
    expect(log.unmapped.size).toBe(0);
  });

  it('counts a message that is not a valid rollout status as unmapped, with the field that is wrong', () => {
    const log = new ObservationLog();
    observe(log, topics.rollout('r1'), json({ ...rollout('r1', 'running', T0), state: 'exploded' }));
    observe(log, topics.rollout('r1'), encodeMessage({ type: 'status', v: 1, device: 'gw-a', tsMs: T0, state: 'online' }, 'json'));
    expect(log.rollouts.size).toBe(0);
    expect([...log.unmapped.keys()]).toEqual([
      expect.stringMatching(/^twinbed-cloud\/v1\/rollout\/\+: not a rollout status \(state: /),
      'twinbed-cloud/v1/rollout/+: not a rollout status (type: expected "rollout", got "status")',
    ]);
    expect(log.messages).toBe(2);
  });
});

describe('ObservationLog replies', () => {
  it('reads twinbed\'s ReplyV1 with its own field names: a refusal keeps its code and error', () => {
    const log = new ObservationLog();
    const refused: ReplyV1 = {
      type: 'reply',
      v: 1,
      device: 'gw-a',
      tsMs: T0 + 130_000,
      id: 'c-7',
      action: 'model.stage',
      ok: false,
      code: 'E_MODEL_SIGNATURE',
      error: 'model 1.2.0: signature does not verify',
      result: { checks: [] },
    };
    observe(log, topics.reply('site-1', 'gw-a'), encodeMessage(refused, 'json'));
    observe(log, topics.reply('site-1', 'gw-b'), encodeMessage({ type: 'reply', v: 1, device: 'gw-b', tsMs: T0 + 140_000, id: 'c-8', action: 'model.activate', ok: true }, 'cbor'));
    expect(log.replies).toEqual([
      { device: 'gw-a', tsMs: T0 + 130_000, action: 'model.stage', ok: false, code: 'E_MODEL_SIGNATURE', error: 'model 1.2.0: signature does not verify' },
      { device: 'gw-b', tsMs: T0 + 140_000, action: 'model.activate', ok: true },
    ]);
    expect(log.unmapped.size).toBe(0);
  });

  it('maps another system\'s acknowledgements through its fields and ok words, and counts an ok it cannot read', () => {
    const acks = spec({ filter: 'sut/+/ack', as: 'reply', fields: { device: '$topic[1]', time: 'at', action: 'cmd', ok: 'result', code: 'errno' }, time: 's' });
    const log = new ObservationLog();
    log.add(acks, 'sut/gw-9/ack', json({ at: 1_767_225_660, cmd: 'reboot', result: 'SUCCESS' }), RECEIVED);
    log.add(acks, 'sut/gw-9/ack', json({ at: 1_767_225_720, cmd: 'flash', result: 'FAILED', errno: 13 }), RECEIVED);
    log.add(acks, 'sut/gw-9/ack', json({ at: 1_767_225_780, cmd: 'flash', result: 'maybe' }), RECEIVED);
    expect(log.replies).toEqual([
      { device: 'gw-9', tsMs: T0 + 60_000, action: 'reboot', ok: true },
      { device: 'gw-9', tsMs: T0 + 120_000, action: 'flash', ok: false, code: '13' },
    ]);
    expect(Object.fromEntries(log.unmapped)).toEqual({
      'sut/+/ack: ok "maybe" is neither accepted (true, ok, OK, success, SUCCESS, accepted, ACCEPTED) nor refused (false, error, ERROR, failed, FAILED, refused, REFUSED, rejected, REJECTED)': 1,
    });
  });
});

describe('the built-in observation', () => {
  it('still maps events as alerts and features as readings beside replies and rollouts', () => {
    expect(TWINBED_OBSERVATION.topics.map((t) => [t.filter, t.as])).toEqual([
      ['twinbed/v1/+/+/event', 'alert'],
      ['twinbed/v1/+/+/features/+', 'reading'],
      ['twinbed/v1/+/+/reply', 'reply'],
      ['twinbed-cloud/v1/rollout/+', 'rollout'],
    ]);
  });

  it('reads the cloud\'s drift alert as an alert with its rule', () => {
    const log = new ObservationLog();
    const drift: EventV1 = {
      type: 'event',
      v: 1,
      kind: 'alert',
      origin: 'cloud',
      device: 'pump-1',
      tsMs: T0 + 300_000,
      rule: 'drift kurtosis',
      state: 'raised',
      severity: 'warning',
      value: 0.412,
      threshold: 0.25,
      message: 'kurtosis drifted',
    };
    observe(log, topics.event('site-1', 'pump-1'), encodeMessage(drift, 'json'));
    expect(log.alerts).toEqual([
      { device: 'pump-1', tsMs: T0 + 300_000, kind: 'alert', state: 'raised', rule: 'drift kurtosis', severity: 'warning', value: 0.412, threshold: 0.25, message: 'kurtosis drifted' },
    ]);
  });
});
