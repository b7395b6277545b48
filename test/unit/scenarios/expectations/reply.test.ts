import { describe, expect, it } from 'vitest';
import type { ReplyEvidence } from '../../../../scenarios/expectations/index';
import { evidence, judge, START_MS } from './fixture';

/** A reply `atS` seconds into the run, from gw-1 unless said otherwise. */
const reply = (atS: number, action: string, ok: boolean, more: Partial<ReplyEvidence> = {}): ReplyEvidence => ({ device: 'gw-1', action, ok, tsMs: START_MS + atS * 1000, atS, ...more });

const SIGNATURE = { code: 'E_MODEL_SIGNATURE', error: 'model 1.2.0: signature does not verify with key cloud-1' };
const tampered = { type: 'reply', device: 'gw-1', action: 'model.stage', ok: false, code: 'E_MODEL_SIGNATURE' };

describe('reply: a device or gateway answered a command', () => {
  it('passes on a refusal with the code, quoting its error text', () => {
    expect(judge(tampered, evidence({ replies: [reply(130, 'model.stage', false, SIGNATURE)] }))).toEqual({
      name: 'gw-1 refuses model.stage with E_MODEL_SIGNATURE',
      type: 'reply',
      passed: true,
      detail: 'gw-1 refused model.stage at 130 s (E_MODEL_SIGNATURE: model 1.2.0: signature does not verify with key cloud-1)',
    });
  });

  it('fails when the gateway accepted the command, quoting the replies it did send', () => {
    const replies = [reply(130, 'model.stage', true), reply(140, 'model.activate', true)];
    expect(judge(tampered, evidence({ replies }))).toEqual({
      name: 'gw-1 refuses model.stage with E_MODEL_SIGNATURE',
      type: 'reply',
      passed: false,
      detail: 'gw-1 never refused model.stage with E_MODEL_SIGNATURE in 0–600 s; its replies: accepted model.stage at 130 s, accepted model.activate at 140 s',
    });
  });

  it('fails on a refusal with another code', () => {
    const replies = [reply(130, 'model.stage', false, { code: 'E_MODEL_VALIDATION', error: 'model 1.2.0: input width 12, expected 9' })];
    expect(judge(tampered, evidence({ replies })).detail).toBe(
      'gw-1 never refused model.stage with E_MODEL_SIGNATURE in 0–600 s; its replies: refused model.stage at 130 s (E_MODEL_VALIDATION: model 1.2.0: input width 12, expected 9)',
    );
    expect(judge({ ...tampered, code: undefined }, evidence({ replies })).passed).toBe(true);
  });

  it('counts only replies in [fromS, toS], saying when a matching one came outside', () => {
    const replies = [reply(130, 'model.stage', false, SIGNATURE)];
    const late = judge({ ...tampered, fromS: 200 }, evidence({ replies }));
    expect(late).toMatchObject({
      name: 'gw-1 refuses model.stage with E_MODEL_SIGNATURE after 200 s',
      passed: false,
      detail: expect.stringMatching(/^gw-1 never refused model.stage with E_MODEL_SIGNATURE in 200–600 s; it did at 130 s, outside the window; its replies: refused model.stage at 130 s/),
    });
    expect(judge({ ...tampered, fromS: 100, toS: 130 }, evidence({ replies }))).toMatchObject({ name: 'gw-1 refuses model.stage with E_MODEL_SIGNATURE in 100–130 s', passed: true });
  });

  it('says when the device sent no reply at all, and how many came from others', () => {
    const result = judge({ type: 'reply', device: 'gw-2', action: 'model.activate', ok: true }, evidence({ replies: [reply(130, 'model.activate', true)] }));
    expect(result).toEqual({ name: 'gw-2 accepts model.activate', type: 'reply', passed: false, detail: 'gw-2 never accepted model.activate in 0–600 s; it sent no reply (1 came from others)' });
  });
});
