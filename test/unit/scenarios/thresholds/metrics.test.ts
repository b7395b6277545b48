import { describe, expect, it } from 'vitest';
import { evaluate, ScenarioSchema, thresholdChecks, type RunEvidence, type ScenarioInput } from '../../../../scenarios/index';
import type { LinkEvidence } from '../../../../scenarios/expectations/index';
import type { LatencySummary } from '../../../../sim/index';
import { LatencyHistogram } from '../../../../sim/index';
import { alertAt, BASE, evidence, stats, stored } from '../expectations/fixture';

/** Judges `key: [condition]` on evidence, the scenario being BASE with `changes`. */
function threshold(key: string, condition: string, overrides: Partial<RunEvidence> = {}, changes: Partial<ScenarioInput> = {}) {
  const scenario = ScenarioSchema.parse({ ...BASE, ...changes, thresholds: { [key]: [condition] } });
  const [check] = thresholdChecks(scenario);
  return evaluate(check!, evidence({ scenario, ...overrides }));
}

const twoFaults: Partial<ScenarioInput> = {
  faults: [
    { type: 'imbalance', device: 'pump-1', atS: 240, rampS: 30, unbalanceGmm: 20_000 },
    { type: 'imbalance', id: 'p2-imbalance', device: 'pump-2', atS: 300, forS: 100, unbalanceGmm: 20_000 },
  ],
};

describe('detection_delay_s: per fault, first alert at or after the onset', () => {
  it('passes with the max delay under the limit, listing each fault', () => {
    const alerts = [alertAt(100, { device: 'pump-2' }), alertAt(252.5), alertAt(310, { device: 'pump-2' })];
    expect(threshold('detection_delay_s', 'max<30', { alerts }, twoFaults)).toEqual({
      name: 'detection_delay_s max<30',
      type: 'threshold',
      passed: true,
      detail: 'observed max 12.5 s, expected max < 30 s; 2 faults: pump-1/imbalance 12.5 s, p2-imbalance 10 s',
    });
  });

  it('counts a fault never detected as ∞, so max fails and a lower percentile may still hold', () => {
    const alerts = [alertAt(252.5)];
    expect(threshold('detection_delay_s', 'max<30', { alerts }, twoFaults)).toMatchObject({
      passed: false,
      detail: 'observed max ∞ s, expected max < 30 s; 2 faults: pump-1/imbalance 12.5 s, p2-imbalance never detected',
    });
    expect(threshold('detection_delay_s', 'p(50)<30', { alerts }, twoFaults).passed).toBe(true);
    expect(threshold('detection_delay_s', 'count==2', { alerts }, twoFaults).passed).toBe(true);
  });

  it('narrows by device, fault and kind', () => {
    const alerts = [alertAt(250), alertAt(320, { device: 'pump-2', kind: 'anomaly' })];
    expect(threshold('detection_delay_s{device:pump-2}', 'max<30', { alerts }, twoFaults).detail).toBe('observed max 20 s, expected max < 30 s; 1 fault: p2-imbalance 20 s');
    expect(threshold('detection_delay_s{fault:pump-1/imbalance}', 'avg<=10', { alerts }, twoFaults).detail).toBe('observed avg 10 s, expected avg <= 10 s; 1 fault: pump-1/imbalance 10 s');
    expect(threshold('detection_delay_s{kind:alert}', 'max<30', { alerts }, twoFaults)).toMatchObject({ passed: false, detail: 'observed max ∞ s, expected max < 30 s; 2 faults: pump-1/imbalance 10 s, p2-imbalance never detected' });
  });

  it('fails with no samples when nothing matches', () => {
    expect(threshold('detection_delay_s{device:pump-2}', 'max<30')).toMatchObject({ passed: false, detail: 'observed max of no samples, expected max < 30 s; no fault on pump-2 to detect' });
  });
});

describe('false_alarms_per_hour: alerts raised while no fault of their device was active', () => {
  it('counts alerts outside every fault of the device, per simulated hour', () => {
    // pump-2's fault runs 300–400 s: its alert at 450 s is false, the one at 310 s is not; pump-1's at 100 s is before its onset.
    const alerts = [alertAt(100), alertAt(310, { device: 'pump-2' }), alertAt(450, { device: 'pump-2' }), alertAt(460, { device: 'pump-2', state: 'cleared' })];
    expect(threshold('false_alarms_per_hour', '<0.1', { alerts }, twoFaults)).toEqual({
      name: 'false_alarms_per_hour <0.1',
      type: 'threshold',
      passed: false,
      detail: 'observed 12 /h, expected < 0.1 /h; 2 alerts raised with no fault of its device active, in 0.1667 h: pump-1 "rms above 0.2" at 100 s, pump-2 "rms above 0.2" at 450 s',
    });
    expect(threshold('false_alarms_per_hour{device:pump-1}', '<=6', { alerts }, twoFaults)).toMatchObject({ passed: true, detail: 'observed 6 /h, expected <= 6 /h; 1 alert raised with no fault of its device active, in 0.1667 h: pump-1 "rms above 0.2" at 100 s' });
    expect(threshold('false_alarms_per_hour', '==0', { alerts: [alertAt(250)] }, twoFaults)).toMatchObject({ passed: true, detail: 'observed 0 /h, expected == 0 /h; 0 alerts raised with no fault of its device active, in 0.1667 h' });
  });
});

describe('counts: alerts_raised, commands_received', () => {
  it('counts raised alerts by device, sensor and kind', () => {
    const alerts = [alertAt(250), alertAt(260, { state: 'cleared' }), alertAt(300, { device: 'pump-2', sensor: 'winding-temp' }), alertAt(310, { kind: 'anomaly' })];
    expect(threshold('alerts_raised', '==3', { alerts })).toMatchObject({ passed: true, detail: 'observed 3 alerts, expected == 3; pump-1 2, pump-2 1' });
    expect(threshold('alerts_raised{sensor:winding-temp}', '>=1', { alerts }).detail).toBe('observed 1 alert, expected >= 1; pump-2 1');
    expect(threshold('alerts_raised{kind:anomaly}', '!=1', { alerts })).toMatchObject({ passed: false, detail: 'observed 1 alert, expected != 1; pump-1 1' });
  });

  it('counts the commands the twins received by device and action', () => {
    const commands = [
      { device: 'pump-1', action: 'slow-down', atS: 250 },
      { device: 'pump-1', action: 'stop', atS: 300 },
      { device: 'pump-2', action: 'stop', atS: 310 },
    ];
    expect(threshold('commands_received{action:stop}', '>1', { commands })).toMatchObject({ passed: true, detail: 'observed 2 commands, expected > 1; pump-1 stop 1, pump-2 stop 1' });
    expect(threshold('commands_received{device:pump-1}', '<2', { commands })).toMatchObject({ passed: false, detail: 'observed 2 commands, expected < 2; pump-1 slow-down 1, pump-1 stop 1' });
  });
});

describe('losses and copies: qos1_lost, qos0_lost, duplicates', () => {
  const published = [stats('pump-1', 15_000, 14_990), stats('pump-2', 15_000), stats('pump-2', 60, 60, 'winding-temp', 0)];
  const held = [stored('pump-1', 14_980), stored('pump-2', 15_000), stored('pump-2', 57, 0, 59, 'winding-temp')];

  it('qos1_lost end to end, and per link leg', () => {
    expect(threshold('qos1_lost', '==0', { published, stored: held })).toMatchObject({ passed: false, detail: 'observed 20 readings, expected == 0; QoS 1 published 30000, stored 29980; lost: pump-1/accel 20' });
    expect(threshold('qos1_lost{link:twins->edge}', '<=10', { published, stored: held })).toMatchObject({ passed: true, detail: 'observed 10 readings, expected <= 10; QoS 1 published 30000, acknowledged by the edge 29990; lost: pump-1/accel 10' });
    expect(threshold('qos1_lost{link:edge->cloud,device:pump-1}', '==10', { published, stored: held })).toMatchObject({ passed: true, detail: 'observed 10 readings, expected == 10; QoS 1 acknowledged by the edge 14990, stored 14980; lost: pump-1/accel 10' });
  });

  it('qos0_lost counts QoS 0 readings only', () => {
    expect(threshold('qos0_lost{sensor:winding-temp}', '<5', { published, stored: held })).toMatchObject({ passed: true, detail: 'observed 3 readings, expected < 5; QoS 0 published 60, stored 57; lost: pump-2/winding-temp 3' });
  });

  it('duplicates counts the copies observed upstream', () => {
    const delivered = [
      { device: 'pump-1', sensor: 'accel', count: 15_000, minSeq: 0, maxSeq: 14_999, copies: 4, overlaps: 0 },
      { device: 'pump-2', sensor: 'accel', count: 15_000, minSeq: 0, maxSeq: 14_999, copies: 0, overlaps: 0 },
    ];
    expect(threshold('duplicates', '==0', { delivered })).toMatchObject({ passed: false, detail: 'observed 4 copies, expected == 0; over 2 observed streams: pump-1/accel 4' });
    expect(threshold('duplicates{device:pump-2}', '==0', { delivered })).toMatchObject({ passed: true, detail: 'observed 0 copies, expected == 0; over 1 observed stream' });
  });
});

describe('bandwidth_reduction', () => {
  it('embedded: the gateway\'s bytes in ÷ bytes acknowledged upstream', () => {
    const bytes = { published: 3_000_000, observed: 40_000, edge: { in: 3_000_000, out: 12_000 } };
    expect(threshold('bandwidth_reduction', '>50', { bytes })).toMatchObject({ passed: true, detail: 'observed ×250, expected > ×50; gateway: 3000 kB in from devices, 12 kB acknowledged upstream' });
  });

  it('mqtt: bytes the twins published ÷ bytes observed upstream', () => {
    expect(threshold('bandwidth_reduction', '>50', { bytes: { published: 3_000_000, observed: 75_000 } })).toMatchObject({
      passed: false,
      detail: 'observed ×40, expected > ×50; 3000 kB published by the twins, 75 kB observed upstream',
    });
  });
});

describe('wall-clock latencies: puback_ms, connect_ms, action_latency_ms', () => {
  const summary = (p50Ms: number, p99Ms: number, count = 100): LatencySummary => ({ count, minMs: 0.2, meanMs: p50Ms * 1.1, p50Ms, p90Ms: (p50Ms + p99Ms) / 2, p99Ms, maxMs: p99Ms * 2 });
  const wall = { connectMs: summary(2, 8, 2), pubackMs: summary(0.6, 10.7, 30_000), actionLatency: { count: 3, p50Ms: 4.2, p99Ms: 61 } };

  it('reads the fleet\'s summary, and marks the entry as depending on the wall clock', () => {
    expect(threshold('puback_ms', 'p(99)<50', { wall })).toEqual({ name: 'puback_ms p(99)<50', type: 'threshold', passed: true, detail: 'observed p(99) 10.7 ms, expected p(99) < 50 ms; wall clock, 30000 PUBACKs', wallClock: true });
    expect(threshold('puback_ms', 'max<20', { wall })).toMatchObject({ passed: false, detail: 'observed max 21.4 ms, expected max < 20 ms; wall clock, 30000 PUBACKs' });
    expect(threshold('connect_ms', 'avg<5', { wall })).toMatchObject({ passed: true, detail: 'observed avg 2.2 ms, expected avg < 5 ms; wall clock, 2 CONNACKs' });
  });

  it('action_latency_ms: the embedded gateway\'s p(50) and p(99); no commands means no samples', () => {
    expect(threshold('action_latency_ms', 'p(99)<50', { wall })).toMatchObject({ passed: false, detail: 'observed p(99) 61 ms, expected p(99) < 50 ms; wall clock, 3 commands the gateway sent', wallClock: true });
    expect(threshold('action_latency_ms', 'med<=4.2', { wall })).toMatchObject({ passed: true });
    expect(threshold('action_latency_ms', 'p(99)<50', { wall: { connectMs: wall.connectMs, pubackMs: wall.pubackMs } })).toMatchObject({
      passed: false,
      detail: 'observed p(99) of no samples, expected p(99) < 50 ms; wall clock, 0 commands the gateway sent',
    });
  });
});

describe('simulated link latency: link_latency_ms, edge_to_cloud_latency_ms', () => {
  const linkWith = (delays: number[]): LinkEvidence => {
    const latencyMs = new LatencyHistogram();
    for (const ms of delays) latencyMs.record(ms);
    return { sent: delays.length, delivered: delays.length, lostQos0: 0, retransmittedQos1: 0, duplicated: 0, owed: 0, latencyMs };
  };
  const links = { 'twins->edge': linkWith([5, 5, 5, 5]), 'edge->cloud': linkWith([20, 20, 20, 300]) };
  const both: Partial<ScenarioInput> = {
    links: [
      { link: 'twins->edge', atS: 0, latencyMs: 5 },
      { link: 'edge->cloud', atS: 0, latencyMs: 20 },
    ],
  };

  it('reads the named link\'s histogram', () => {
    expect(threshold('link_latency_ms{link:twins->edge}', 'max<=5', { links }, both)).toMatchObject({ passed: true, detail: 'observed max 5 ms, expected max <= 5 ms; simulated twins->edge link, 4 messages' });
    expect(threshold('edge_to_cloud_latency_ms', 'p(95)<200', { links }, both)).toEqual({
      name: 'edge_to_cloud_latency_ms p(95)<200',
      type: 'threshold',
      passed: false,
      detail: 'observed p(95) 300 ms, expected p(95) < 200 ms; simulated edge->cloud link, 4 messages',
    });
    expect(threshold('edge_to_cloud_latency_ms', 'p(75)<200', { links }, both).passed).toBe(true);
  });

  it('takes the only simulated link when none is named', () => {
    const only: Partial<ScenarioInput> = { links: [{ link: 'edge->cloud', atS: 0, latencyMs: 20 }] };
    expect(threshold('link_latency_ms', 'min>=20', { links }, only).detail).toBe('observed min 20 ms, expected min >= 20 ms; simulated edge->cloud link, 4 messages');
  });
});
