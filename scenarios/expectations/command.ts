import type { Expectation } from '../schema';
import type { ExpectationResult, ReceivedCommandEvidence, RunEvidence } from './evidence';
import { faultsOf } from './faults';
import { describeArgs, s } from './format';

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

/** At most this many received commands are quoted in a failure. */
const QUOTED = 5;

/** A window of run seconds a command may arrive in, and how details name its start. */
interface Window {
  fromS: number;
  toS: number;
  /** `the onset of pump-1/bearing at 300 s`, `120 s`. */
  mark: string;
}

/**
 * A device received a command (action, and args as a subset) from the system under test: within withinS of a fault's
 * onset (`fault:`, else any fault of the device) or of `fromS`, or any time. Judged on the twins' received commands,
 * which every target has.
 */
export function commandExpectation(expectation: Of<'command'>, evidence: RunEvidence): ExpectationResult {
  const { device, action, args, withinS } = expectation;
  const endS = evidence.scenario.durationS;
  const windows = windowsOf(expectation, evidence);
  const what = `${action}${describeArgs(args)}`;
  const name = expectation.name ?? `${what} command to ${device}${nameTail(expectation, evidence)}`;
  const received = evidence.commands.filter((c) => c.device === device);
  const matching = received.filter((c) => c.action === action && (args === undefined || isSubset(args, c.args ?? {})));
  for (const w of windows) {
    const hit = matching.find((c) => c.atS >= w.fromS && c.atS <= w.toS);
    if (hit) {
      const after = w.mark ? `, ${s(hit.atS - w.fromS)} after ${w.mark}` : '';
      return { name, type: 'command', passed: true, detail: `${device} received ${hit.action}${describeArgs(hit.args)} at ${s(hit.atS)}${after}` };
    }
  }
  const span = windows.map((w) => (w.mark ? `${s(w.fromS)}–${s(Math.min(w.toS, endS))}` : `the ${s(endS)} run`)).join(', ');
  const others = evidence.commands.length - received.length;
  const got = received.length
    ? `; it received ${received.slice(0, QUOTED).map(quote).join(', ')}${received.length > QUOTED ? ` and ${received.length - QUOTED} more` : ''}`
    : `; it received no command${others ? ` (${others} went to other devices)` : ''}`;
  const late = withinS !== undefined ? matching.find((c) => windows.some((w) => c.atS > w.toS)) : undefined;
  const lateText = late ? `; the first matching one came at ${s(late.atS)}, past the ${s(withinS!)} limit` : '';
  return { name, type: 'command', passed: false, detail: `${device} received no ${what} in ${span}${lateText}${got}` };
}

function quote(c: ReceivedCommandEvidence): string {
  return `${c.action}${describeArgs(c.args)} at ${s(c.atS)}`;
}

function windowsOf(expectation: Of<'command'>, evidence: RunEvidence): Window[] {
  const { withinS } = expectation;
  const upTo = (fromS: number) => (withinS === undefined ? Infinity : fromS + withinS);
  if (expectation.fromS !== undefined) return [{ fromS: expectation.fromS, toS: upTo(expectation.fromS), mark: s(expectation.fromS) }];
  const faults = faultsOf(evidence.scenario, expectation.device);
  if (expectation.fault !== undefined) {
    return faults.filter((f) => f.id === expectation.fault).map((f) => ({ fromS: f.fault.atS, toS: upTo(f.fault.atS), mark: `the onset of ${f.id} at ${s(f.fault.atS)}` }));
  }
  if (withinS === undefined) return [{ fromS: 0, toS: Infinity, mark: '' }];
  const named = faults.length > 1;
  return faults.map((f) => ({ fromS: f.fault.atS, toS: upTo(f.fault.atS), mark: `the onset${named ? ` of ${f.id}` : ''} at ${s(f.fault.atS)}` }));
}

function nameTail(expectation: Of<'command'>, evidence: RunEvidence): string {
  const { withinS } = expectation;
  const lead = withinS === undefined ? ' after' : ` within ${s(withinS)} of`;
  if (expectation.fromS !== undefined) return `${lead} ${s(expectation.fromS)}`;
  if (expectation.fault !== undefined) return `${lead} the onset of ${expectation.fault}`;
  if (withinS === undefined) return '';
  const faults = faultsOf(evidence.scenario, expectation.device);
  return faults.length === 1 ? `${lead} its ${faults[0]!.fault.type} onset` : `${lead} the onset of any of its ${faults.length} faults`;
}

/** Whether every field of `want` is in `have` with an equal value (objects compared the same way, recursively). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]) && isSubset(have[i], w));
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([key, value]) => isSubset(value, (have as Record<string, unknown>)[key]));
  }
  return false;
}
