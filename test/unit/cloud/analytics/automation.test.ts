import { describe, expect, it } from 'vitest';
import { AutomationStateError, RuleEngine, type CommandRequest } from '../../../../cloud/analytics/index';
import { rules, s, windowAt } from './engine-support';

/** "Bearing over 90 °C: slow the pump to 60 %" — 60 % of its 1480 rpm. */
const bearingHot = (extra: Record<string, unknown> = {}) =>
  rules({
    name: 'bearing-hot',
    metric: 'mean',
    above: 90,
    sensor: 'temp-bearing',
    then: [{ command: { action: 'slow-down', args: { speedRpm: 888 } } }, { on: 'cleared', command: { action: 'resume' } }],
    ...extra,
  });

const hot = (engine: RuleEngine, t: number, device = 'pump-1') => engine.onWindow(windowAt(t, { mean: 92.1 }, { device }));
const cool = (engine: RuleEngine, t: number, device = 'pump-1') => engine.onWindow(windowAt(t, { mean: 60 }, { device }));
const sent = (commands: CommandRequest[]) => commands.map((c) => `${c.action}${c.limited ? ' (limited)' : ''}`);

describe('automation: rules that command', () => {
  it('slows the pump when its bearing runs over 90 °C, with the alert as the reason', () => {
    const engine = new RuleEngine(bearingHot());
    expect(hot(engine, 0).commands).toEqual([
      {
        rule: 'bearing-hot',
        target: 'pump-1',
        to: 'device',
        device: 'pump-1',
        action: 'slow-down',
        args: { speedRpm: 888 },
        reason: 'bearing-hot: pump-1/temp-bearing mean 92.1 degC exceeds 90',
        tsMs: s(0),
        limited: false,
      },
    ]);
  });

  it('sends the `on: cleared` command when the alert clears, and nothing while the state holds', () => {
    const engine = new RuleEngine(bearingHot());
    hot(engine, 0);
    expect(hot(engine, 10).commands).toEqual([]);
    expect(cool(engine, 100).commands).toMatchObject([{ action: 'resume', reason: 'bearing-hot: pump-1/temp-bearing mean 60 degC back below 72', limited: false }]);
  });

  it('limits to 1 per 60 s per rule and target by default, returning limited commands for the audit', () => {
    const engine = new RuleEngine(bearingHot());
    const log: string[] = [];
    for (const [t, fn] of [[0, hot], [10, cool], [20, hot], [30, cool], [60, hot], [70, cool]] as const) log.push(...sent(fn(engine, t).commands));
    // One token, refilled 60 s after it was spent at t=0: t=60 passes again, t=70 does not.
    expect(log).toEqual(['slow-down', 'resume (limited)', 'slow-down (limited)', 'resume (limited)', 'slow-down', 'resume (limited)']);
  });

  it('has a whole token again exactly perS after spending it, even when refilled in steps by limited attempts', () => {
    const engine = new RuleEngine(bearingHot());
    const log: string[] = [];
    // Six refills of 10/60 of a token sum to 0.9999999999999999 in floating point: still one token.
    for (let t = 0; t <= 60; t += 10) log.push(...sent((t % 20 === 0 ? hot : cool)(engine, t).commands));
    expect(log.at(-1)).toBe('slow-down');
    expect(log.slice(1, -1).every((c) => c.endsWith('(limited)'))).toBe(true);
  });

  it('keeps a bucket per target: a second pump is not limited by the first', () => {
    const engine = new RuleEngine(bearingHot());
    expect(sent(hot(engine, 0, 'pump-1').commands)).toEqual(['slow-down']);
    expect(sent(hot(engine, 1, 'pump-2').commands)).toEqual(['slow-down']);
  });

  it('applies a rule\'s own rateLimit as a token bucket: a burst of max, then max per perS', () => {
    const engine = new RuleEngine(bearingHot({ rateLimit: { max: 2, perS: 10 }, then: [{ command: { action: 'slow-down' } }] }));
    const log: string[] = [];
    // Refill 0.2 a second. Raises at 0 and 2 spend the burst (2 → 1 → 0.4); at 4 it holds 0.8; at 9, 1.8.
    for (const t of [0, 2, 4, 9]) {
      log.push(...sent(hot(engine, t).commands));
      cool(engine, t + 1);
    }
    expect(log).toEqual(['slow-down', 'slow-down', 'slow-down (limited)', 'slow-down']);
  });

  it('lets all commands of one alert change to one target pass or fail together', () => {
    const engine = new RuleEngine(bearingHot({ then: [{ command: { action: 'slow-down' } }, { command: { action: 'upload-raw' } }] }));
    expect(sent(hot(engine, 0).commands)).toEqual(['slow-down', 'upload-raw']);
    cool(engine, 5);
    expect(sent(hot(engine, 10).commands)).toEqual(['slow-down (limited)', 'upload-raw (limited)']);
  });

  it('sends `to: gateway` commands to the gateway the device was last heard through, unless a device is named', () => {
    const engine = new RuleEngine(
      bearingHot({ then: [{ command: { to: 'gateway', action: 'upload-raw', args: { seconds: 10 } } }, { command: { device: 'pump-9', action: 'start' } }] }),
    );
    const out = engine.onWindow(windowAt(0, { mean: 95 }, { gateway: 'gw-1' }));
    expect(out.commands.map((c) => [c.to, c.target, c.device, c.action])).toEqual([
      ['gateway', 'gw-1', 'pump-1', 'upload-raw'],
      ['device', 'pump-9', 'pump-1', 'start'],
    ]);
  });

  it('keeps the rate limit across a restart through snapshot() and restore() as JSON', () => {
    const before = new RuleEngine(bearingHot());
    hot(before, 0);
    const saved: unknown = JSON.parse(JSON.stringify(before.automation.snapshot()));
    expect(saved).toEqual({ v: 1, buckets: [{ rule: 'bearing-hot', target: 'pump-1', tokens: 0, atMs: s(0) }] });

    const after = new RuleEngine(bearingHot());
    after.automation.restore(saved);
    expect(sent(hot(after, 30).commands)).toEqual(['slow-down (limited)']);
    const fresh = new RuleEngine(bearingHot());
    expect(sent(hot(fresh, 30).commands)).toEqual(['slow-down']);
  });

  it('restores only buckets of rules still configured, capped at today\'s max', () => {
    const engine = new RuleEngine(bearingHot());
    engine.automation.restore({
      v: 1,
      buckets: [
        { rule: 'bearing-hot', target: 'pump-1', tokens: 5, atMs: s(0) },
        { rule: 'removed-rule', target: 'pump-1', tokens: 0, atMs: s(0) },
      ],
    });
    expect(engine.automation.snapshot()).toEqual({ v: 1, buckets: [{ rule: 'bearing-hot', target: 'pump-1', tokens: 1, atMs: s(0) }] });
    expect(sent(hot(engine, 1).commands)).toEqual(['slow-down']);
    // Capped at 1, the restored bucket is empty after that one command: tokens 5 would have let the resume through.
    expect(sent(cool(engine, 2).commands)).toEqual(['resume (limited)']);
  });

  it('refuses saved state of the wrong shape with a typed error that says how to recover', () => {
    const engine = new RuleEngine(bearingHot());
    const attempt = () => engine.automation.restore({ v: 1, buckets: [{ rule: 'bearing-hot', target: 'pump-1', tokens: 'full', atMs: 0 }] });
    expect(attempt).toThrow(AutomationStateError);
    expect(attempt).toThrow(/buckets\.0\.tokens: .*delete it from the state store/);
    try {
      attempt();
    } catch (error) {
      expect((error as AutomationStateError).code).toBe('E_AUTOMATION_STATE');
    }
  });
});
