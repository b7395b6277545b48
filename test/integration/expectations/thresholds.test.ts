import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario, type RunResult } from '../../../scenarios';

// Thresholds and the new expectations on real runs: a few simulated seconds of the embedded stack at virtual time,
// judged on what the run observed. Figures are read back from the report itself, never from the wall clock.

const shaking = parseScenario(
  `
name: thresholds on a real run
seed: 5
durationS: 20
twins:
  - { template: pump, id: pump-1 }
  - { template: pump, id: pump-2 }
faults:
  - { type: imbalance, id: unbalance, device: pump-1, atS: 5, rampS: 6, unbalanceGmm: 20000 }
links:
  - { link: twins->edge, atS: 0, latencyMs: 5 }
  - { link: edge->cloud, atS: 0, latencyMs: 20, jitter: { dist: normal, sdMs: 2 } }
gateway:
  rules:
    - { name: shaking, metric: rms, sensor: accel, above: 0.2 }
  actions:
    - { on: shaking, action: slow-down, args: { speedRpm: 1000, rampS: 1 } }
expect:
  - { type: alert, device: pump-1, fault: unbalance, withinS: 10 }
  - { type: command, device: pump-1, action: slow-down, args: { speedRpm: 1000 }, fault: unbalance }
  - { type: command, device: pump-2, action: slow-down }
  - { type: no-loss, link: twins->edge }
  - { type: no-loss, link: edge->cloud }
thresholds:
  detection_delay_s{device:pump-1}: ['max<10', 'max<0.5']
  false_alarms_per_hour: ['==0']
  alerts_raised{device:pump-2}: ['==0']
  commands_received{action:slow-down}: ['>=1']
  qos1_lost: ['==0']
  link_latency_ms{link:twins->edge}: ['min>=5', 'max<5']
  edge_to_cloud_latency_ms: ['p(50)>=10', 'p(50)>100']
  bandwidth_reduction: ['>5', '>1000000']
  duplicates: ['==0']
  puback_ms: ['count>0']
`,
  'shaking.yaml',
);

const lossy = parseScenario(
  `
name: a lossy device link
seed: 8
durationS: 30
twins:
  - { template: pump, id: pump-1, sensors: { accel: { enabled: false }, winding-temp: { qos: 0, blockSamples: 1 }, bearing-temp: { blockSamples: 1 } } }
links:
  - { link: twins->edge, atS: 0, latencyMs: 5, loss: 0.3 }
expect:
  - { type: no-loss, link: twins->edge }
  - { type: no-loss, link: edge->cloud }
thresholds:
  qos1_lost: ['==0']
  qos0_lost: ['==0', '<=30']
`,
  'lossy.yaml',
);

const entry = (result: RunResult, name: string) => {
  const found = result.expectations.find((e) => e.name === name);
  if (!found) throw new Error(`no expectation "${name}" in ${result.expectations.map((e) => e.name).join(' | ')}`);
  return found;
};

describe('thresholds and expectations on a real run', () => {
  it('passes the thresholds the run meets and fails those it does not, each with the figure it observed', async () => {
    const result = await runScenario(shaking);
    const verdicts = Object.fromEntries(result.expectations.map((e) => [e.name, e.passed]));
    expect(verdicts).toEqual({
      'alert on pump-1 within 10 s of its imbalance onset (unbalance)': true,
      'slow-down {"speedRpm":1000} command to pump-1 after the onset of unbalance': true,
      'slow-down command to pump-2': false,
      'no QoS 1 reading lost on twins->edge': true,
      'no QoS 1 reading lost on edge->cloud': true,
      'detection_delay_s{device:pump-1} max<10': true,
      'detection_delay_s{device:pump-1} max<0.5': false,
      'false_alarms_per_hour ==0': true,
      'alerts_raised{device:pump-2} ==0': true,
      'commands_received{action:slow-down} >=1': true,
      'qos1_lost ==0': true,
      'link_latency_ms{link:twins->edge} min>=5': true,
      'link_latency_ms{link:twins->edge} max<5': false,
      'edge_to_cloud_latency_ms p(50)>=10': true,
      'edge_to_cloud_latency_ms p(50)>100': false,
      'bandwidth_reduction >5': true,
      'bandwidth_reduction >1000000': false,
      'duplicates ==0': true,
      'puback_ms count>0': true,
    });
    expect(result.passed).toBe(false);

    // The detection delay is the first alert's event time minus the onset, as the timeline shows it.
    const delay = result.timeline.alerts.find((a) => a.device === 'pump-1' && a.state === 'raised')!.atS - 5;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(entry(result, 'detection_delay_s{device:pump-1} max<0.5').detail).toBe(`observed max ${delay} s, expected max < 0.5 s; 1 fault: unbalance ${delay} s`);
    // The simulated links' figures are the link report's.
    const links = result.links!;
    expect(entry(result, 'link_latency_ms{link:twins->edge} max<5').detail).toMatch(/^observed max 5 ms, expected max < 5 ms; simulated twins->edge link, \d+ messages$/);
    expect(entry(result, 'edge_to_cloud_latency_ms p(50)>100').detail).toBe(
      `observed p(50) ${links['edge->cloud']!.latencyP50Ms} ms, expected p(50) > 100 ms; simulated edge->cloud link, ${/(\d+) messages/.exec(entry(result, 'edge_to_cloud_latency_ms p(50)>=10').detail)![1]} messages`,
    );
    // Bandwidth is the gateway's own bytes in ÷ bytes out.
    const edge = result.stats.edge!;
    expect(entry(result, 'bandwidth_reduction >1000000').detail).toBe(
      `observed ×${Number((edge.bytesIn / edge.bytesOut).toPrecision(4))}, expected > ×1000000; gateway: ${Number((edge.bytesIn / 1000).toPrecision(4))} kB in from devices, ${Number((edge.bytesOut / 1000).toPrecision(4))} kB acknowledged upstream`,
    );
    // The command the gateway sent on the alert reached pump-1, after the onset; pump-2 got none.
    const command = result.timeline.commands.find((c) => c.device === 'pump-1')!;
    expect(entry(result, 'slow-down {"speedRpm":1000} command to pump-1 after the onset of unbalance').detail).toMatch(/^pump-1 received slow-down \{"speedRpm":1000,"rampS":1\} at [\d.]+ s, [\d.]+ s after the onset of unbalance at 5 s$/);
    expect(command.atS).toBeGreaterThanOrEqual(5);
    expect(entry(result, 'slow-down command to pump-2').detail).toBe(`pump-2 received no slow-down in the 20 s run; it received no command (${result.timeline.commands.length} went to other devices)`);
    expect(entry(result, 'no QoS 1 reading lost on edge->cloud').detail).toBe(
      `QoS 1 acknowledged by the edge ${result.stats.qos1.published}, stored ${result.stats.qos1.stored}, lost 0; simulated link: ${links['edge->cloud']!.sent} sent, 0 resent after a loss, 0 duplicated, 0 owed at the end`,
    );
    // Only the wall-clock metric is marked as such.
    expect(result.expectations.filter((e) => e.wallClock).map((e) => e.name)).toEqual(['puback_ms count>0']);
  });

  it('counts QoS 0 readings lost on a lossy device link, while QoS 1 readings are resent and none is lost', async () => {
    const result = await runScenario(lossy);
    const lost = result.stats.qos0.lost;
    const link = result.links!['twins->edge']!;
    expect(lost).toBeGreaterThan(0);
    expect(link.retransmittedQos1).toBeGreaterThan(0);
    expect(result.expectations.map((e) => [e.name, e.passed, e.detail])).toEqual([
      ['no QoS 1 reading lost on twins->edge', true, `QoS 1 published 30, acknowledged by the edge 30, lost 0; simulated link: ${link.sent} sent, ${link.retransmittedQos1} resent after a loss, 0 duplicated, 0 owed at the end`],
      ['no QoS 1 reading lost on edge->cloud', true, 'QoS 1 acknowledged by the edge 30, stored 30, lost 0'],
      ['qos1_lost ==0', true, 'observed 0 readings, expected == 0; QoS 1 published 30, stored 30'],
      ['qos0_lost ==0', false, `observed ${lost} readings, expected == 0; QoS 0 published 30, stored ${30 - lost}; lost: pump-1/winding-temp ${lost}`],
      ['qos0_lost <=30', true, `observed ${lost} readings, expected <= 30; QoS 0 published 30, stored ${30 - lost}; lost: pump-1/winding-temp ${lost}`],
    ]);
  });

  it('gives the same verdicts and figures for the same seed, apart from what depends on the wall clock', async () => {
    // At virtual time a twin receives a command when the virtual clock has got to by then, which depends on how fast
    // the pipeline ran: command receipt times (and the timeline's commands) are left out, as wall-clock thresholds are.
    const steady = (r: RunResult) => r.expectations.filter((e) => !e.wallClock && e.type !== 'command');
    const [first, second] = [await runScenario(shaking), await runScenario(shaking)];
    expect(steady(second)).toEqual(steady(first));
    expect(steady(first)).toHaveLength(16);
    expect(JSON.stringify((await runScenario(lossy)).expectations)).toBe(JSON.stringify((await runScenario(lossy)).expectations));
  });
});
