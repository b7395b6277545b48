import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../../../../protocol';
import { ROLLOUT_INDEX_KEY, RolloutController, rolloutKey, type RolloutSpecInput } from '../../../../cloud/lifecycle';
import { FakeFleet, MemoryState, MODEL } from './fake-fleet';

const FLEET = ['gw-1', 'gw-2', 'gw-3'];
const T0 = Date.UTC(2026, 0, 1);

/** Canary gw-1, then the other two; judged on 10 windows, at most 10% over threshold. */
const CANARY: RolloutSpecInput = {
  id: 'r1',
  version: '1.1.0',
  groups: [{ name: 'canary', gateways: ['gw-1'] }, { percent: 100 }],
  falseAlarm: { windows: 10, maxRate: 0.1 },
};

function setup(state = new MemoryState()) {
  const fleet = new FakeFleet(state);
  return { fleet, controller: new RolloutController(fleet.ports()), state };
}

const phases = (controller: RolloutController, id = 'r1') => Object.fromEntries(controller.status(id)!.gateways.map((g) => [g.gateway, g.phase]));

describe('RolloutController: one group after another', () => {
  it('stages, activates and observes the canary, and starts group 2 only when the canary has finished', async () => {
    const { fleet, controller } = setup();
    await controller.start(CANARY, FLEET, T0);

    expect(fleet.sent).toEqual([
      {
        id: 'cmd-1',
        gateway: 'gw-1',
        action: 'model.stage',
        args: { bytes: bytesToBase64(MODEL.bytes), sha256: MODEL.sha256, version: '1.1.0', signature: MODEL.signature, keyId: 'fleet-2026' },
        reason: 'rollout r1 group 1/2 (canary): stage 1.1.0',
      },
    ]);
    expect(phases(controller)).toEqual({ 'gw-1': 'staging', 'gw-2': 'pending', 'gw-3': 'pending' });

    await fleet.reply(controller, 'gw-1', { ok: true });
    expect(fleet.last('gw-1')).toMatchObject({ action: 'model.activate', args: { version: '1.1.0' }, reason: 'rollout r1 group 1/2 (canary): activate 1.1.0' });
    await fleet.reply(controller, 'gw-1', { ok: true });
    expect(phases(controller)['gw-1']).toBe('observing');

    // Windows scored by the old model say nothing about the new one.
    await fleet.windows(controller, 'gw-1', 20, 20, '1.0.0');
    // 1 of 10 over threshold is exactly the allowed 10%: ≤ passes.
    await fleet.windows(controller, 'gw-1', 9, 1);
    expect(fleet.log()).toEqual(['gw-1 model.stage', 'gw-1 model.activate']);
    expect(controller.status('r1')!.gateways[0]).toMatchObject({ phase: 'observing', windows: 9 });

    await fleet.windows(controller, 'gw-1', 1);
    expect(controller.status('r1')!.gateways[0]).toEqual({
      gateway: 'gw-1',
      group: 1,
      phase: 'finished',
      windows: 10,
      overRate: 0.1,
      reason: '1 of 10 windows over threshold (10% ≤ 10%)',
    });
    expect(fleet.log(2)).toEqual(['gw-2 model.stage', 'gw-3 model.stage']);
    expect(fleet.last('gw-3').reason).toBe('rollout r1 group 2/2: stage 1.1.0');
    expect(controller.status('r1')).toMatchObject({ state: 'running', group: 2 });

    await fleet.finish(controller, 'gw-2', 10);
    expect(controller.status('r1')!.state).toBe('running');
    await fleet.finish(controller, 'gw-3', 10);
    expect(controller.status('r1')).toMatchObject({ state: 'finished', group: 2 });
    expect(phases(controller)).toEqual({ 'gw-1': 'finished', 'gw-2': 'finished', 'gw-3': 'finished' });
    expect(fleet.sent).toHaveLength(6);
  });

  it('starts the next group once finished/total reaches successThreshold, without waiting for the rest', async () => {
    const { fleet, controller } = setup();
    await controller.start({ ...CANARY, groups: [{ gateways: ['gw-1', 'gw-2'] }, { gateways: ['gw-3'] }], successThreshold: 0.5 }, FLEET, T0);
    await fleet.finish(controller, 'gw-1', 10);
    expect(fleet.log(2)).toEqual(['gw-1 model.activate', 'gw-3 model.stage']);
    expect(phases(controller)['gw-2']).toBe('staging');
  });
});

describe('RolloutController: the error condition pauses the whole rollout', () => {
  it('pauses on a refused signature at errorThreshold 0, sends nothing more, and goes on after resume', async () => {
    const { fleet, controller } = setup();
    await controller.start({ ...CANARY, groups: [{ gateways: ['gw-1'] }, { gateways: ['gw-2', 'gw-3'] }] }, FLEET, T0);
    await fleet.reply(controller, 'gw-1', { ok: false, code: 'E_MODEL_SIGNATURE', error: 'signature does not verify with key fleet-2026' });

    const status = controller.status('r1')!;
    expect(status.gateways[0]).toMatchObject({ phase: 'error', reason: 'stage refused: E_MODEL_SIGNATURE: signature does not verify with key fleet-2026' });
    expect(status.state).toBe('paused');
    expect(status.reason).toMatch(/^group 1\/2: 1 of 1 gateways failed, over the error threshold 0% \(latest gw-1: stage refused: E_MODEL_SIGNATURE/);
    expect(fleet.log()).toEqual(['gw-1 model.stage']);

    await controller.resume('r1', T0 + 60_000);
    expect(controller.status('r1')).toMatchObject({ state: 'running', group: 2 });
    expect(controller.status('r1')!.reason).toBeUndefined();
    expect(fleet.log(1)).toEqual(['gw-2 model.stage', 'gw-3 model.stage']);
  });

  it('does not pause when errors/total equals errorThreshold: the condition is strictly greater', async () => {
    const { fleet, controller } = setup();
    await controller.start({ ...CANARY, groups: [{ gateways: ['gw-1', 'gw-2'] }, { gateways: ['gw-3'] }], errorThreshold: 0.5, successThreshold: 0.5 }, FLEET, T0);
    await fleet.reply(controller, 'gw-1', { ok: false, code: 'E_MODEL_INVALID', error: 'model 1.1.0 refused; shadow: non-finite score' });
    expect(controller.status('r1')!.state).toBe('running');
    await fleet.finish(controller, 'gw-2', 10);
    expect(controller.status('r1')).toMatchObject({ state: 'running', group: 2 });
    expect(fleet.last('gw-3').action).toBe('model.stage');
  });

  it('rolls back a model that raises false alarms, with the measured rate as the reason, and pauses', async () => {
    const { fleet, controller } = setup();
    await controller.start(CANARY, FLEET, T0);
    await fleet.reply(controller, 'gw-1', { ok: true });
    await fleet.reply(controller, 'gw-1', { ok: true });
    await fleet.windows(controller, 'gw-1', 10, 2);

    expect(fleet.last('gw-1')).toMatchObject({
      action: 'model.rollback',
      args: {},
      reason: 'rollout r1 group 1/2 (canary): rollback 1.1.0: false alarms, 2 of 10 windows over threshold (20% > 10%)',
    });
    const status = controller.status('r1')!;
    expect(status.gateways[0]).toMatchObject({ phase: 'rolled-back', windows: 10, overRate: 0.2, reason: 'false alarms: 2 of 10 windows over threshold (20% > 10%)' });
    expect(status.state).toBe('paused');
    expect(status.reason).toMatch(/^group 1\/2 \(canary\): 1 of 1 gateways failed/);

    await fleet.reply(controller, 'gw-1', { ok: true });
    expect(phases(controller)).toEqual({ 'gw-1': 'rolled-back', 'gw-2': 'pending', 'gw-3': 'pending' });
    expect(fleet.log()).toEqual(['gw-1 model.stage', 'gw-1 model.activate', 'gw-1 model.rollback']);
  });

  it('reports a refused rollback as an error: the gateway still runs the new model', async () => {
    const { fleet, controller } = setup();
    await controller.start(CANARY, FLEET, T0);
    await fleet.reply(controller, 'gw-1', { ok: true });
    await fleet.reply(controller, 'gw-1', { ok: true });
    await fleet.windows(controller, 'gw-1', 10, 5);
    await fleet.reply(controller, 'gw-1', { ok: false, code: 'E_MODEL_SLOT', error: 'no previous model to roll back to' });
    expect(controller.status('r1')!.gateways[0]).toMatchObject({ phase: 'error', reason: expect.stringMatching(/rollback refused too \(E_MODEL_SLOT: .*\), so it still runs 1\.1\.0$/) });
  });

  it('still rolls back a false-alarm gateway while paused: the pause stops the model spreading, not its withdrawal', async () => {
    const { fleet, controller } = setup();
    await controller.start({ ...CANARY, groups: [{ gateways: ['gw-1', 'gw-2'] }, { gateways: ['gw-3'] }] }, FLEET, T0);
    await fleet.reply(controller, 'gw-1', { ok: true });
    await fleet.reply(controller, 'gw-1', { ok: true });
    await fleet.reply(controller, 'gw-2', { ok: false, code: 'E_MODEL_SIGNATURE', error: 'bad signature' });
    expect(controller.status('r1')!.state).toBe('paused');
    await fleet.windows(controller, 'gw-1', 10, 3);
    expect(fleet.log(3)).toEqual(['gw-1 model.rollback']);
    expect(controller.status('r1')!.state).toBe('paused');
  });

  it('holds back model.activate for a gateway whose stage succeeds while paused, and sends it on resume', async () => {
    const { fleet, controller } = setup();
    await controller.start({ ...CANARY, groups: [{ gateways: ['gw-1', 'gw-2'] }, { gateways: ['gw-3'] }] }, FLEET, T0);
    await fleet.reply(controller, 'gw-1', { ok: false, code: 'E_MODEL_SIGNATURE', error: 'unknown key fleet-2026' });
    await fleet.reply(controller, 'gw-2', { ok: true });
    expect(fleet.log()).toEqual(['gw-1 model.stage', 'gw-2 model.stage']);
    expect(controller.status('r1')!.gateways[1]).toMatchObject({ phase: 'staging', reason: 'staged; activation waits for resume' });

    await controller.resume('r1', T0 + 1);
    expect(fleet.log(2)).toEqual(['gw-2 model.activate']);
    // Resuming accepts gw-1's failure: it counts as done, so gw-2 finishing completes the group.
    await fleet.reply(controller, 'gw-2', { ok: true });
    await fleet.windows(controller, 'gw-2', 10);
    expect(fleet.log(3)).toEqual(['gw-3 model.stage']);
  });
});

describe('RolloutController: groups by percent', () => {
  it('takes ⌈percent·n/100⌉ of the gateways left, and finishes through an empty last group', async () => {
    const { fleet, controller } = setup();
    await controller.start({ ...CANARY, groups: [{ percent: 50 }, { percent: 50 }, { percent: 10 }] }, FLEET, T0);
    const status = controller.status('r1')!;
    expect(status.groups).toBe(3);
    // 50% of 3 → 2 (1.5 rounded up); 50% of the 1 left → 1; 10% of none → an empty group.
    expect(status.gateways.map((g) => [g.gateway, g.group])).toEqual([['gw-1', 1], ['gw-2', 1], ['gw-3', 2]]);
    expect(fleet.log()).toEqual(['gw-1 model.stage', 'gw-2 model.stage']);

    await fleet.finish(controller, 'gw-1', 10);
    await fleet.finish(controller, 'gw-2', 10);
    expect(fleet.log(4)).toEqual(['gw-3 model.stage']);
    await fleet.finish(controller, 'gw-3', 10);
    expect(controller.status('r1')).toMatchObject({ state: 'finished', group: 3 });
  });
});

describe('RolloutController: restart', () => {
  it('restores a running rollout from the store, resends nothing already answered, and carries on', async () => {
    const state = new MemoryState();
    const before = setup(state);
    await before.controller.start(CANARY, FLEET, T0);
    const stage = before.fleet.last('gw-1');
    await before.fleet.reply(before.controller, 'gw-1', { ok: true });
    const activate = before.fleet.last('gw-1');
    expect(JSON.parse(state.text.get(ROLLOUT_INDEX_KEY)!)).toEqual(['r1']);

    // A new process: same store, new controller, a new command counter.
    const fleet = new FakeFleet(state);
    const controller = new RolloutController(fleet.ports());
    const [restored] = await controller.restore();
    expect(restored).toMatchObject({ id: 'r1', state: 'running', group: 1 });
    expect(phases(controller)).toEqual({ 'gw-1': 'activating', 'gw-2': 'pending', 'gw-3': 'pending' });
    expect(fleet.sent).toEqual([]);

    // QoS 1 redelivers the stage reply: it was answered before the restart and must not trigger a second activate.
    expect(await controller.onReply('gw-1', { type: 'reply', v: 1, device: 'gw-1', tsMs: T0, id: stage.id, action: stage.action, ok: true })).toBe(false);
    expect(fleet.sent).toEqual([]);

    expect(await controller.onReply('gw-1', { type: 'reply', v: 1, device: 'gw-1', tsMs: T0, id: activate.id, action: activate.action, ok: true })).toBe(true);
    await fleet.windows(controller, 'gw-1', 10);
    expect(fleet.log()).toEqual(['gw-2 model.stage', 'gw-3 model.stage']);
    await fleet.finish(controller, 'gw-2', 10);
    await fleet.finish(controller, 'gw-3', 10);
    expect(controller.status('r1')!.state).toBe('finished');
    // A finished rollout is no longer reloaded.
    expect(JSON.parse(state.text.get(ROLLOUT_INDEX_KEY)!)).toEqual([]);
    expect(JSON.parse(state.text.get(rolloutKey('r1'))!)).toMatchObject({ state: 'finished' });
  });

  it('restores a paused rollout paused, with its reason, and resumes it', async () => {
    const state = new MemoryState();
    const before = setup(state);
    await before.controller.start(CANARY, FLEET, T0);
    await before.fleet.reply(before.controller, 'gw-1', { ok: false, code: 'E_MODEL_SIGNATURE', error: 'bad signature' });

    const { fleet, controller } = setup(state);
    const [restored] = await controller.restore();
    expect(restored).toMatchObject({ state: 'paused', reason: before.controller.status('r1')!.reason });
    await controller.resume('r1', T0 + 1);
    expect(fleet.log()).toEqual(['gw-2 model.stage', 'gw-3 model.stage']);
  });

  it('keeps rollouts it has not restored in the stored index when it starts another', async () => {
    const state = new MemoryState();
    await setup(state).controller.start(CANARY, FLEET, T0);
    const { controller } = setup(state);
    await controller.start({ ...CANARY, id: 'r2', groups: [{ gateways: ['gw-9'] }] }, ['gw-9'], T0);
    expect(JSON.parse(state.text.get(ROLLOUT_INDEX_KEY)!)).toEqual(['r1', 'r2']);
  });
});

describe('RolloutController: refusals', () => {
  it('refuses a model missing from the registry, an unknown gateway, a reused id, a busy gateway and a bad threshold', async () => {
    const { controller } = setup();
    await expect(controller.start({ ...CANARY, version: '9.9.9' }, FLEET, T0)).rejects.toMatchObject({ code: 'E_ROLLOUT_MODEL', message: expect.stringMatching(/9\.9\.9 is not in the model registry/) });
    await expect(controller.start({ ...CANARY, groups: [{ gateways: ['gw-7'] }] }, FLEET, T0)).rejects.toMatchObject({ code: 'E_ROLLOUT_SPEC', message: expect.stringMatching(/gw-7, which is not a known gateway/) });
    await expect(controller.start({ ...CANARY, errorThreshold: 1.5 }, FLEET, T0)).rejects.toMatchObject({ code: 'E_ROLLOUT_SPEC', message: expect.stringMatching(/^rollout spec errorThreshold: /) });
    await controller.start(CANARY, FLEET, T0);
    await expect(controller.start(CANARY, FLEET, T0)).rejects.toMatchObject({ code: 'E_ROLLOUT_EXISTS' });
    await expect(controller.start({ ...CANARY, id: 'r2', groups: [{ gateways: ['gw-3'] }] }, FLEET, T0)).rejects.toMatchObject({ code: 'E_ROLLOUT_CONFLICT', message: expect.stringMatching(/gw-3, still in rollout r1/) });
  });

  it('sends nothing after cancel and no longer follows up replies', async () => {
    const { fleet, controller } = setup();
    await controller.start(CANARY, FLEET, T0);
    const cancelled = await controller.cancel('r1', T0 + 5, 'wrong model');
    expect(cancelled).toMatchObject({ state: 'cancelled', reason: 'wrong model', updatedMs: T0 + 5 });
    expect(await fleet.reply(controller, 'gw-1', { ok: true })).toBe(false);
    expect(fleet.log()).toEqual(['gw-1 model.stage']);
    await expect(controller.resume('r1', T0 + 6)).rejects.toMatchObject({ code: 'E_ROLLOUT_STATE' });
  });
});
