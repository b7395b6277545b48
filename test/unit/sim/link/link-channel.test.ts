import { describe, expect, it } from 'vitest';
import { RandomStreams, Scheduler, VirtualClock } from '../../../../sim/index';
import { LinkChannel, LinkModel, scheduleLinkChanges, type DeliveryInfo, type LinkImpairmentInput, type LinkScheduleEntryInput, type Qos } from '../../../../sim/link/index';

const T0 = 1_700_000_000_000;
const LINK = 'edge->cloud';

interface Received {
  id: number;
  qos: Qos;
  atMs: number;
  info: DeliveryInfo;
}

/**
 * One link on a virtual clock, its timeline, and a sender offering message `id` = 0, 1, 2 … every `everyMs` for
 * `count` messages (QoS from `qosOf`). Returns what the receiver saw once the clock has run to `untilS`.
 */
async function run(options: {
  impairment: LinkImpairmentInput;
  schedule?: LinkScheduleEntryInput[];
  count: number;
  everyMs: number;
  qosOf: (id: number) => Qos;
  untilS: number;
  retryMs?: number;
  seed?: string;
}) {
  const clock = new VirtualClock(T0);
  const scheduler = new Scheduler(clock);
  const model = new LinkModel(LINK, options.impairment, new RandomStreams(options.seed ?? 'channel-tests').stream(`link/${LINK}`));
  const channel = new LinkChannel(model, clock, { retryMs: options.retryMs });
  // Link changes are scheduled before the sender, so at an equal instant the change comes first.
  scheduleLinkChanges(options.schedule ?? [], new Map([[LINK, model]]), scheduler, T0);
  const received: Received[] = [];
  const sentAt: number[] = [];
  scheduler.every(
    options.everyMs,
    (_tickMs, id) => {
      const qos = options.qosOf(id);
      sentAt.push(clock.now() - T0);
      channel.send({ bytes: 100, qos }, (info) => void received.push({ id, qos, atMs: clock.now() - T0, info }));
    },
    { startMs: T0, endMs: T0 + (options.count - 1) * options.everyMs },
  );
  await clock.runUntil(T0 + options.untilS * 1000);
  return { received, sentAt, channel, model };
}

const alternate = (id: number): Qos => (id % 2 === 0 ? 0 : 1);
const ids = (list: readonly Received[]) => list.map((r) => r.id);
const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);

describe('LinkChannel through a partition', () => {
  it('delivers every QoS 1 message exactly once and in order after a 5 s partition heals; the 250 QoS 0 sent into it are lost and counted', async () => {
    const { received, channel, model } = await run({
      impairment: { latencyMs: 20 },
      schedule: [{ link: LINK, atS: 10, forS: 5, partition: true }],
      count: 3_000,
      everyMs: 10,
      qosOf: alternate,
      untilS: 40,
    });
    const qos1 = received.filter((r) => r.qos === 1);
    const qos0 = received.filter((r) => r.qos === 0);
    expect(ids(qos1)).toEqual(range(1, 3_000, 2));
    // QoS 0 ids 1000 … 1498 were sent at 10.00 … 14.98 s, into the partition.
    expect(ids(qos0)).toEqual([...range(0, 1_000, 2), ...range(1_500, 3_000, 2)]);
    // The held QoS 1 messages go out as the link returns, at 15 s, and arrive one latency later.
    const held = qos1.filter((r) => r.id > 1_000 && r.id < 1_500);
    expect(held).toHaveLength(250);
    for (const r of held) expect(r).toMatchObject({ atMs: 15_020, info: { attempt: 2, copy: 0 } });
    expect(channel.counters()).toEqual({
      sent: { 0: 1_500, 1: 1_500, 2: 0 },
      delivered: { 0: 1_250, 1: 1_500, 2: 0 },
      lostQos0: 250,
      retransmitted: { 0: 0, 1: 250, 2: 0 },
      held: { 0: 0, 1: 250, 2: 0 },
    });
    expect(model.counters().down.partition).toBe(500);
    expect(channel.backlog()).toEqual({ held: 0, inFlight: 0, retrying: 0 });
  });
});

describe('LinkChannel through a stall', () => {
  it('loses nothing in a 5 s stall: all 3,000 messages arrive once, in send order, the 500 sent into it at 15 s + 20 ms', async () => {
    const { received, channel } = await run({
      impairment: { latencyMs: 20 },
      schedule: [{ link: LINK, atS: 10, forS: 5, stall: true }],
      count: 3_000,
      everyMs: 10,
      qosOf: alternate,
      untilS: 40,
    });
    expect(ids(received)).toEqual(range(0, 3_000));
    for (const r of received.slice(1_000, 1_500)) expect(r).toMatchObject({ atMs: 15_020, info: { attempt: 1 } });
    expect(channel.counters()).toMatchObject({ lostQos0: 0, retransmitted: { 0: 0, 1: 0, 2: 0 }, held: { 0: 250, 1: 250, 2: 0 } });
  });
});

describe('LinkChannel through a reset', () => {
  it('at a reset, loses the 4 QoS 0 in flight and resends the 5 QoS 1 in flight, in order, ahead of newer messages', async () => {
    // Latency 95 ms: at 10 s, messages 991 … 999 (sent 9.91 … 9.99 s) are on the wire.
    const { received, channel } = await run({
      impairment: { latencyMs: 95 },
      schedule: [{ link: LINK, atS: 10, reset: true }],
      count: 2_000,
      everyMs: 10,
      qosOf: alternate,
      untilS: 30,
    });
    const qos0 = ids(received.filter((r) => r.qos === 0));
    expect(range(992, 1_000, 2).filter((id) => qos0.includes(id))).toEqual([]);
    expect(qos0).toHaveLength(1_000 - 4);
    const qos1 = received.filter((r) => r.qos === 1);
    expect(ids(qos1)).toEqual(range(1, 2_000, 2));
    const resent = qos1.filter((r) => r.id >= 991 && r.id <= 999);
    for (const r of resent) expect(r).toMatchObject({ atMs: 10_095, info: { attempt: 2 } });
    expect(channel.counters()).toMatchObject({ lostQos0: 4, retransmitted: { 1: 5 } });
  });

  it('at a reset during a stall, also loses the stalled QoS 0 and resends the stalled QoS 1', async () => {
    const { received, channel } = await run({
      impairment: { latencyMs: 5 },
      schedule: [
        { link: LINK, atS: 1, forS: 1, stall: true },
        { link: LINK, atS: 1.5, reset: true },
      ],
      count: 300,
      everyMs: 10,
      qosOf: alternate,
      untilS: 5,
    });
    // 100 … 149 were stalled at the reset (1.5 s): 25 QoS 0 lost, 25 QoS 1 resent when the stall ends at 2 s.
    expect(channel.counters()).toMatchObject({ lostQos0: 25, retransmitted: { 1: 25 } });
    const qos1 = received.filter((r) => r.qos === 1);
    expect(ids(qos1)).toEqual(range(1, 300, 2));
    expect(qos1.find((r) => r.id === 101)).toMatchObject({ atMs: 2_005, info: { attempt: 2 } });
  });
});

describe('LinkChannel under loss', () => {
  it('resends lost QoS 1 until all 2,000 arrive, once each; QoS 0 loses 50% ± 3% of 2,000 at loss 50%', async () => {
    const { received, channel, model } = await run({
      impairment: { latencyMs: 10, loss: 0.5 },
      count: 4_000,
      everyMs: 5,
      qosOf: alternate,
      untilS: 120,
      retryMs: 1_000,
    });
    const qos1 = received.filter((r) => r.qos === 1);
    expect(ids(qos1).sort((a, b) => a - b)).toEqual(range(1, 4_000, 2));
    const counters = channel.counters();
    // Each loss of a QoS 1 message is followed by exactly one resend, 1 s later; a geometric number, mean p/(1 − p) = 1.
    const qos1Drops = counters.retransmitted[1];
    expect(qos1Drops / 2_000, `${qos1Drops} resends for 2,000 messages`).toBeGreaterThan(0.9);
    expect(qos1Drops / 2_000, `${qos1Drops} resends for 2,000 messages`).toBeLessThan(1.1);
    expect(model.counters().dropped.loss).toBe(counters.lostQos0 + qos1Drops);
    expect(Math.abs(counters.lostQos0 / 2_000 - 0.5), `${counters.lostQos0} QoS 0 lost`).toBeLessThan(0.03);
    // Attempt k of message id leaves at id·5 ms + (k − 1)·retryMs and arrives one latency later.
    for (const r of qos1) expect(r.atMs, `message ${r.id}, attempt ${r.info.attempt}`).toBe(r.id * 5 + (r.info.attempt - 1) * 1_000 + 10);
    expect(qos1.filter((r) => r.info.attempt > 1).length, 'messages that needed a resend').toBeGreaterThan(800);
    expect(channel.backlog()).toEqual({ held: 0, inFlight: 0, retrying: 0 });
  });
});

describe('LinkChannel deliveries', () => {
  it('delivers link duplicates as real duplicates (copy 0 and copy 1, 2 ms apart)', async () => {
    const { received, channel } = await run({
      impairment: { latencyMs: 10, duplicate: 1, duplicateDelayMs: 2 },
      count: 10,
      everyMs: 100,
      qosOf: () => 2,
      untilS: 5,
    });
    expect(received.map((r) => [r.id, r.atMs, r.info.copy])).toEqual(range(0, 10).flatMap((id) => [[id, id * 100 + 10, 0], [id, id * 100 + 12, 1]]));
    expect(channel.counters().delivered[2]).toBe(20);
  });

  it('lets a VirtualClock await a deliver that returns a promise: time stands still until it settles', async () => {
    const clock = new VirtualClock(T0);
    const channel = new LinkChannel(new LinkModel(LINK, { latencyMs: 10 }, new RandomStreams('x').stream('l')), clock);
    const log: string[] = [];
    for (const id of [1, 2]) {
      channel.send({ bytes: 1, qos: 1 }, async () => {
        log.push(`start ${id} at ${clock.now() - T0}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`end ${id} at ${clock.now() - T0}`);
      });
    }
    await clock.runUntil(T0 + 100);
    expect(log).toEqual(['start 1 at 10', 'end 1 at 10', 'start 2 at 10', 'end 2 at 10']);
  });

  it('close() cancels what is in flight, retrying and held', async () => {
    const clock = new VirtualClock(T0);
    const model = new LinkModel(LINK, { latencyMs: 10 }, new RandomStreams('x').stream('l'));
    const channel = new LinkChannel(model, clock);
    let delivered = 0;
    channel.send({ bytes: 1, qos: 1 }, () => void delivered++);
    model.set({ partition: true }, T0);
    channel.send({ bytes: 1, qos: 1 }, () => void delivered++);
    expect(channel.backlog()).toEqual({ held: 1, inFlight: 1, retrying: 0 });
    channel.close();
    model.set({}, T0);
    await clock.runUntil(T0 + 1_000);
    expect(delivered).toBe(0);
    expect(channel.backlog()).toEqual({ held: 0, inFlight: 0, retrying: 0 });
  });

  it('rejects a QoS other than 0, 1 or 2 and a non-positive retryMs', () => {
    const model = new LinkModel(LINK, {}, new RandomStreams('x').stream('l'));
    const channel = new LinkChannel(model, new VirtualClock(T0));
    expect(() => channel.send({ bytes: 1, qos: 3 as Qos }, () => {})).toThrow(/qos must be 0, 1 or 2/);
    expect(() => new LinkChannel(model, new VirtualClock(T0), { retryMs: 0 })).toThrow(/retryMs/);
  });
});
