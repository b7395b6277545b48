import { describe, expect, it } from 'vitest';
import type { ReceivedCommandEvidence } from '../../../../scenarios/expectations/index';
import { evidence, evidenceFor, judge } from './fixture';

const cmd = (atS: number, action = 'slow-down', args?: Record<string, unknown>, device = 'pump-1'): ReceivedCommandEvidence => ({ device, action, atS, ...(args ? { args } : {}) });

describe('command: a device received a command', () => {
  it('passes within withinS of the device\'s fault onset, giving the delay', () => {
    const result = judge({ type: 'command', device: 'pump-1', action: 'slow-down', withinS: 30 }, evidence({ commands: [cmd(251.5, 'slow-down', { speedRpm: 1000, rampS: 5 })] }));
    expect(result).toEqual({
      name: 'slow-down command to pump-1 within 30 s of its imbalance onset',
      type: 'command',
      passed: true,
      detail: 'pump-1 received slow-down {"speedRpm":1000,"rampS":5} at 251.5 s, 11.5 s after the onset at 240 s',
    });
  });

  it('matches args as a subset: the named ones must be equal, others may be there', () => {
    const commands = [cmd(250, 'slow-down', { speedRpm: 1000, rampS: 5 })];
    expect(judge({ type: 'command', device: 'pump-1', action: 'slow-down', args: { speedRpm: 1000 } }, evidence({ commands })).passed).toBe(true);
    const wrong = judge({ type: 'command', device: 'pump-1', action: 'slow-down', args: { speedRpm: 900 } }, evidence({ commands }));
    expect(wrong).toEqual({
      name: 'slow-down {"speedRpm":900} command to pump-1',
      type: 'command',
      passed: false,
      detail: 'pump-1 received no slow-down {"speedRpm":900} in the 600 s run; it received slow-down {"speedRpm":1000,"rampS":5} at 250 s',
    });
  });

  it('fails for a command before the onset or past the limit, saying when the matching one came', () => {
    const result = judge({ type: 'command', device: 'pump-1', action: 'stop', withinS: 10 }, evidence({ commands: [cmd(100, 'stop'), cmd(260, 'stop')] }));
    expect(result).toMatchObject({
      passed: false,
      detail: 'pump-1 received no stop in 240 s–250 s; the first matching one came at 260 s, past the 10 s limit; it received stop at 100 s, stop at 260 s',
    });
  });

  it('counts from fromS, or from a named fault', () => {
    const commands = [cmd(130, 'stop')];
    expect(judge({ type: 'command', device: 'pump-1', action: 'stop', fromS: 120, withinS: 15 }, evidence({ commands }))).toEqual({
      name: 'stop command to pump-1 within 15 s of 120 s',
      type: 'command',
      passed: true,
      detail: 'pump-1 received stop at 130 s, 10 s after 120 s',
    });
    expect(judge({ type: 'command', device: 'pump-1', action: 'stop', fault: 'pump-1/imbalance' }, evidence({ commands }))).toMatchObject({
      name: 'stop command to pump-1 after the onset of pump-1/imbalance',
      passed: false,
      detail: 'pump-1 received no stop in 240 s–600 s; it received stop at 130 s',
    });
  });

  it('with several faults and no fault:, passes on a command within the window of any of them', () => {
    const faults = [
      { type: 'imbalance' as const, device: 'pump-1', atS: 240, unbalanceGmm: 20_000 },
      { type: 'overheating' as const, device: 'pump-1', atS: 400 },
    ];
    const result = judge({ type: 'command', device: 'pump-1', action: 'stop', withinS: 20 }, evidenceFor({ faults }, { commands: [cmd(405, 'stop')] }));
    expect(result).toMatchObject({
      name: 'stop command to pump-1 within 20 s of the onset of any of its 2 faults',
      passed: true,
      detail: 'pump-1 received stop at 405 s, 5 s after the onset of pump-1/overheating at 400 s',
    });
  });

  it('says when the device received nothing and where the commands went', () => {
    const result = judge({ type: 'command', device: 'pump-2', action: 'stop' }, evidence({ commands: [cmd(300, 'stop')] }));
    expect(result.detail).toBe('pump-2 received no stop in the 600 s run; it received no command (1 went to other devices)');
  });
});
