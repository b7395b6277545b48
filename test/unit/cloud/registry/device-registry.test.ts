import { describe, expect, it } from 'vitest';
import type { CommandV1, ReplyV1, StatusV1 } from '../../../../protocol';
import { DeviceRegistry, ShadowConflictError, ShadowPatchError, UnknownDeviceError } from '../../../../cloud/registry';
import { MemoryRegistryStore } from './memory-registry-store';

const T0 = Date.UTC(2026, 0, 1);
const SITE = 'plant-a';

function status(state: StatusV1['state'], tsMs: number, counters?: Record<string, number>): StatusV1 {
  return { type: 'status', v: 1, device: 'gw-1', tsMs, state, ...(counters ? { counters } : {}) };
}

function modelReply(action: string, active: { version: string } | null, tsMs = T0): ReplyV1 {
  return { type: 'reply', v: 1, device: 'gw-1', tsMs, id: `c-${tsMs}`, action, ok: true, result: { status: { active, staged: null, previous: null } } };
}

/** A registry over a fresh in-memory store, recording what it sends as "site action args by". */
function setup(store = new MemoryRegistryStore()) {
  const sent: string[] = [];
  const commands: CommandV1[] = [];
  const registry = new DeviceRegistry({
    store,
    send: (site, command, by) => {
      sent.push(`${site} ${command.device} ${command.action} ${JSON.stringify(command.args)} ${by}`);
      commands.push(command);
    },
  });
  return { registry, store, sent, commands };
}

describe('DeviceRegistry: what devices and gateways report', () => {
  it('registers a device on its first reading, online, through its gateway, with the window as its sensor latest', async () => {
    const { registry } = setup();
    await registry.onReading(SITE, 'pump-1', 'accel', T0, 'gw-1', { rms: 0.2, peak: 0.5, crest: 2.5 }, 'g');
    expect(await registry.entries()).toEqual([{ id: 'pump-1', kind: 'device', site: SITE, online: true, lastSeenMs: T0, gateway: 'gw-1', sensors: ['accel'] }]);
    const shadow = await registry.shadow('pump-1');
    expect(shadow?.reported).toEqual({ sensors: { accel: { tsMs: T0, unit: 'g', features: { rms: 0.2, peak: 0.5, crest: 2.5 } } } });
    expect(shadow?.version).toBe(1);
    expect(shadow?.reportedMs).toBe(T0);
  });

  it('keeps the later window when an older one arrives late, and lists each sensor once, sorted', async () => {
    const { registry } = setup();
    await registry.onReading(SITE, 'pump-1', 'winding-temp', T0 + 100, 'gw-1', { rms: 61 }, 'degC');
    await registry.onReading(SITE, 'pump-1', 'accel', T0 + 100, 'gw-1', { rms: 0.3 }, 'g');
    await registry.onReading(SITE, 'pump-1', 'accel', T0 + 50, 'gw-1', { rms: 0.1 }, 'g');
    const [entry] = await registry.entries();
    expect(entry).toMatchObject({ sensors: ['accel', 'winding-temp'], lastSeenMs: T0 + 100 });
    expect((await registry.shadow('pump-1'))?.reported.sensors).toEqual({
      accel: { tsMs: T0 + 100, unit: 'g', features: { rms: 0.3 } },
      'winding-temp': { tsMs: T0 + 100, unit: 'degC', features: { rms: 61 } },
    });
  });

  it("takes a gateway's devices offline with its last will, keeps its newer counters, and a reading brings a device back", async () => {
    const { registry } = setup();
    await registry.onStatus(SITE, status('online', T0, { received: 0 }), false);
    await registry.onReading(SITE, 'pump-1', 'accel', T0 + 1000, 'gw-1');
    await registry.onReading(SITE, 'fan-1', 'accel', T0 + 1000, 'gw-1');
    await registry.onReading(SITE, 'env-1', 'humidity', T0 + 1000, 'gw-2');
    await registry.onStatus(SITE, status('online', T0 + 5000, { received: 40, 'lastCommand.ok': 1 }), false);
    // The will was composed at connect time: its tsMs and counters are those of T0.
    await registry.onStatus(SITE, status('offline', T0, { received: 0 }), false);

    const online = Object.fromEntries((await registry.entries()).map((e) => [e.id, e.online]));
    expect(online).toEqual({ 'env-1': true, 'fan-1': false, 'gw-1': false, 'pump-1': false });
    expect((await registry.entry('gw-1'))?.lastSeenMs).toBe(T0 + 5000);
    expect((await registry.shadow('gw-1'))?.reported).toEqual({ state: 'offline', counters: { received: 40, 'lastCommand.ok': 1 }, countersMs: T0 + 5000 });

    await registry.onReading(SITE, 'pump-1', 'accel', T0 + 9000, 'gw-1');
    expect((await registry.entry('pump-1'))?.online).toBe(true);
    expect((await registry.entry('fan-1'))?.online).toBe(false);
  });

  it('ignores a retained online older than what it heard live, and believes a retained offline or a newer retained online', async () => {
    const { registry } = setup();
    await registry.onStatus(SITE, status('online', T0 + 10_000), false);
    await registry.onStatus(SITE, status('offline', T0), false);
    await registry.onStatus(SITE, status('online', T0 + 5000), true);
    expect((await registry.entry('gw-1'))?.online).toBe(false);
    await registry.onStatus(SITE, status('online', T0 + 20_000), true);
    expect((await registry.entry('gw-1'))?.online).toBe(true);

    const fresh = setup().registry;
    await fresh.onStatus(SITE, status('offline', T0), true);
    expect(await fresh.entry('gw-1')).toEqual({ id: 'gw-1', kind: 'gateway', site: SITE, online: false, lastSeenMs: T0, sensors: [] });
  });

  it('puts the active model version of a model reply in the gateway shadow, null when none is active, and ignores other replies', async () => {
    const { registry } = setup();
    await registry.onReply(SITE, modelReply('model.activate', { version: '1.2.0' }, T0));
    expect((await registry.shadow('gw-1'))?.reported.model).toBe('1.2.0');
    await registry.onReply(SITE, { type: 'reply', v: 1, device: 'gw-1', tsMs: T0 + 1, id: 'r', action: 'raw.request', ok: true, result: { streams: [] } });
    expect((await registry.shadow('gw-1'))?.reported.model).toBe('1.2.0');
    await registry.onReply(SITE, modelReply('model.status', null, T0 + 2));
    expect((await registry.shadow('gw-1'))?.reported.model).toBeNull();
    expect(await registry.entry('gw-1')).toMatchObject({ kind: 'gateway', online: true, lastSeenMs: T0 + 2 });
  });

  it('picks up entries and shadows from its store after a restart', async () => {
    const store = new MemoryRegistryStore();
    const first = setup(store).registry;
    await first.onReading(SITE, 'pump-1', 'accel', T0, 'gw-1', { rms: 0.2 }, 'g');
    await first.setDesired('pump-1', { mode: 'eco' }, 'api:test', T0 + 1);
    const second = setup(store).registry;
    expect((await second.entries()).map((e) => e.id)).toEqual(['pump-1']);
    expect(await second.shadow('pump-1')).toMatchObject({ desired: { mode: 'eco' }, reported: { sensors: { accel: { tsMs: T0 } } }, version: 2 });
  });

  it('answers undefined for the shadow of a device it never heard from', async () => {
    expect(await setup().registry.shadow('pump-9')).toBeUndefined();
  });
});

describe('DeviceRegistry: desired state', () => {
  async function withPump() {
    const context = setup();
    await context.registry.onReading(SITE, 'pump-1', 'accel', T0, 'gw-1', { rms: 0.2 }, 'g');
    return context;
  }

  it('merges a patch (null deletes a key, nested objects merge), bumps the version and sends shadow.desired with the whole state', async () => {
    const { registry, sent } = await withPump();
    await registry.setDesired('pump-1', { mode: 'eco', limits: { tempC: 80, rmsG: 0.5 } }, 'api:ana', T0 + 10);
    const { shadow, commands } = await registry.setDesired('pump-1', { mode: null, limits: { rmsG: 0.4 } }, 'api:ana', T0 + 20, 2);
    expect(shadow).toMatchObject({ desired: { limits: { tempC: 80, rmsG: 0.4 } }, desiredMs: T0 + 20, version: 3 });
    expect(commands).toEqual([
      { type: 'cmd', v: 1, device: 'pump-1', tsMs: T0 + 20, id: 'shadow-pump-1-v3', action: 'shadow.desired', args: { limits: { tempC: 80, rmsG: 0.4 } } },
    ]);
    expect(sent.at(-1)).toBe(`${SITE} pump-1 shadow.desired {"limits":{"tempC":80,"rmsG":0.4}} api:ana`);
  });

  it('shows in delta only the desired keys whose value differs from the reported one', async () => {
    const { registry } = setup();
    await registry.onReply(SITE, modelReply('model.status', { version: '1.2.0' }));
    await registry.setDesired('gw-1', { model: '1.2.0', sampling: { rateHz: 100 } }, 'api:ana', T0 + 1);
    expect((await registry.shadow('gw-1'))?.delta).toEqual({ sampling: { rateHz: 100 } });
    await registry.setDesired('gw-1', { model: '1.3.0' }, 'api:ana', T0 + 2);
    expect((await registry.shadow('gw-1'))?.delta).toEqual({ model: '1.3.0', sampling: { rateHz: 100 } });
  });

  it('refuses a change made against a stale version, changing and sending nothing', async () => {
    const { registry, sent } = await withPump();
    const before = await registry.shadow('pump-1');
    const refused = registry.setDesired('pump-1', { mode: 'eco' }, 'api:ana', T0 + 10, 0);
    await expect(refused).rejects.toThrow(ShadowConflictError);
    await expect(refused).rejects.toMatchObject({ code: 'E_SHADOW_CONFLICT', expectedVersion: 0, actualVersion: 1 });
    expect(await registry.shadow('pump-1')).toEqual(before);
    expect(sent).toEqual([]);
  });

  it('lets exactly one of two concurrent changes based on the same version through', async () => {
    const { registry } = await withPump();
    const results = await Promise.allSettled([
      registry.setDesired('pump-1', { mode: 'eco' }, 'api:ana', T0 + 10, 1),
      registry.setDesired('pump-1', { mode: 'boost' }, 'api:bo', T0 + 10, 1),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((await registry.shadow('pump-1'))?.desired).toEqual({ mode: 'eco' });
  });

  it('ramps a pump with slow-down below the speed it was at, resume above it, and resume to its configured speed when speedRpm is deleted', async () => {
    const { registry, sent } = await withPump();
    const first = await registry.setDesired('pump-1', { speedRpm: 700 }, 'api:ana', T0 + 10);
    expect(first.commands.map((c) => [c.id, c.action, c.args])).toEqual([
      ['shadow-pump-1-v2', 'shadow.desired', { speedRpm: 700 }],
      ['shadow-pump-1-v2-speed', 'slow-down', { speedRpm: 700 }],
    ]);
    await registry.setDesired('pump-1', { speedRpm: 500 }, 'api:ana', T0 + 20);
    await registry.setDesired('pump-1', { speedRpm: 1200 }, 'api:ana', T0 + 30);
    await registry.setDesired('pump-1', { note: 'no speed change' }, 'api:ana', T0 + 40);
    await registry.setDesired('pump-1', { speedRpm: null }, 'api:ana', T0 + 50);
    expect(sent.filter((line) => !line.includes('shadow.desired'))).toEqual([
      `${SITE} pump-1 slow-down {"speedRpm":700} api:ana`,
      `${SITE} pump-1 slow-down {"speedRpm":500} api:ana`,
      `${SITE} pump-1 resume {"speedRpm":1200} api:ana`,
      `${SITE} pump-1 resume {} api:ana`,
    ]);
  });

  it('refuses speedRpm for a device that is not a pump or fan, and a speed that is not one', async () => {
    const { registry } = await withPump();
    await registry.onReading(SITE, 'env-1', 'humidity', T0, 'gw-1');
    await expect(registry.setDesired('env-1', { speedRpm: 700 }, 'api:ana', T0 + 1)).rejects.toThrow(ShadowPatchError);
    await expect(registry.setDesired('pump-1', { speedRpm: -5 }, 'api:ana', T0 + 1)).rejects.toMatchObject({
      code: 'E_SHADOW_PATCH',
      message: expect.stringMatching(/^desired\.speedRpm: expected a shaft speed in rpm/),
    });
    expect((await registry.shadow('pump-1'))?.version).toBe(1);
  });

  it('refuses desired state for a device it never heard from', async () => {
    await expect(setup().registry.setDesired('pump-9', { mode: 'eco' }, 'api:ana', T0)).rejects.toThrow(UnknownDeviceError);
  });
});
