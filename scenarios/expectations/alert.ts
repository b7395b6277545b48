import type { Expectation } from '../schema';
import type { ObservedAlert } from '../target';
import type { ExpectationResult, RunEvidence } from './evidence';
import { faultsOf, fullSeverityAtS, type IdentifiedFault } from './faults';
import { fmt, s } from './format';

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

/** Whether an alert record is of the kind an expectation counts. */
export function ofKind(kind: 'any' | 'alert' | 'anomaly'): (a: ObservedAlert) => boolean {
  return (a) => kind === 'any' || (a.kind ?? 'alert') === kind;
}

/**
 * An alert on the device, counted only at or after the onset of the fault it is about. With `fault:` that fault;
 * without, any of the device's faults: with withinS it passes when one of them is followed by an alert within its
 * window, so name the fault (one expectation each) to require every fault to be detected.
 */
export function alertExpectation(expectation: Of<'alert'>, evidence: RunEvidence): ExpectationResult {
  const { device, withinS } = expectation;
  const raised = evidence.alerts.filter((a) => a.device === device && a.state === 'raised').filter(ofKind(expectation.kind));
  const noun = expectation.kind === 'anomaly' ? 'anomaly' : 'alert';
  const at = (a: ObservedAlert) => (a.tsMs - evidence.startMs) / 1000;
  const describeAlert = (a: ObservedAlert) => `raised at ${s(at(a))} (${a.rule}${a.message ? `: ${a.message}` : ''})`;
  const peak = describePeak(device, evidence);
  const ofDevice = faultsOf(evidence.scenario, device);
  const faults = expectation.fault === undefined ? ofDevice : ofDevice.filter((f) => f.id === expectation.fault);
  // Name the fault in the text when the reader could not tell which one it is.
  const named = expectation.fault !== undefined || ofDevice.length > 1;
  const onsetOf = (f: IdentifiedFault) => `onset${named ? ` of ${f.id}` : ''} at ${s(f.fault.atS)}`;

  if (withinS === undefined) {
    const fromS = faults[0]?.fault.atS ?? 0;
    const counted = raised.find((a) => at(a) >= fromS);
    const early = raised.filter((a) => at(a) < fromS).length;
    const name = expectation.name ?? `${noun} on ${device}${expectation.fault !== undefined ? ` after the onset of ${expectation.fault}` : ''}`;
    if (counted) {
      const after = faults.length ? `, ${s(at(counted) - fromS)} after the ${onsetOf(faults[0]!)}` : '';
      return { name, type: 'alert', passed: true, detail: `${describeAlert(counted)}${after}` };
    }
    const before = early ? ` (${early} raised before it, not counted)` : '';
    const detail = faults.length
      ? `no ${noun} on ${device} from the ${onsetOf(faults[0]!)} to the end of the run${before}; ${peak}`
      : `no ${noun} on ${device} during the ${s(evidence.scenario.durationS)} run; ${peak}`;
    return { name, type: 'alert', passed: false, detail };
  }

  const fromFull = expectation.from === 'full-severity';
  const refOf = (f: IdentifiedFault) => (fromFull ? fullSeverityAtS(f.fault) : f.fault.atS);
  const markOf = (f: IdentifiedFault) => (fromFull ? `fault${named ? ` ${f.id}` : ''} reached full severity at ${s(refOf(f))}` : onsetOf(f));
  const reaching = fromFull ? 'reaching full severity' : 'onset';
  const single = faults.length === 1 ? faults[0]! : undefined;
  const name =
    expectation.name ??
    (single
      ? `${noun} on ${device} within ${s(withinS)} of its ${single.fault.type} ${reaching}${expectation.fault !== undefined ? ` (${single.id})` : ''}`
      : `${noun} on ${device} within ${s(withinS)} of any of its ${faults.length} faults ${fromFull ? 'reaching full severity' : 'starting'}`);
  const misses: string[] = [];
  for (const f of faults) {
    const fromS = refOf(f);
    // From the onset in both cases: an anomaly found while the fault was still growing is early, not wrong.
    const inWindow = raised.find((a) => at(a) >= f.fault.atS && at(a) <= fromS + withinS);
    if (inWindow) {
      const delay = at(inWindow) - fromS;
      const when = delay >= 0 ? `${s(delay)} after the ${markOf(f)}` : `${s(-delay)} before the ${markOf(f)}, ${s(at(inWindow) - f.fault.atS)} after its onset`;
      return { name, type: 'alert', passed: true, detail: `${describeAlert(inWindow)}, ${when}` };
    }
    const later = raised.find((a) => at(a) > fromS + withinS);
    misses.push(
      later
        ? `first ${noun} after the ${markOf(f)} came ${s(at(later) - fromS)} later, ${s(at(later) - fromS - withinS)} past the ${s(withinS)} limit: ${describeAlert(later)}`
        : `no ${noun} on ${device} from the ${onsetOf(f)} to the end of the run; ${peak}`,
    );
  }
  return { name, type: 'alert', passed: false, detail: misses.length ? misses.join('; ') : `${device} has no fault to count withinS from` };
}

export function noAlertExpectation(expectation: Of<'no-alert'>, evidence: RunEvidence): ExpectationResult {
  const { device, beforeS = evidence.scenario.durationS } = expectation;
  const scope = device ? `on ${device}` : 'on any device';
  const noun = expectation.kind === 'anomaly' ? 'anomaly' : 'alert';
  const name = expectation.name ?? `no ${noun} ${scope}${expectation.beforeS === undefined ? '' : ` before ${s(beforeS)}`}`;
  const offending = evidence.alerts.filter(ofKind(expectation.kind)).find(
    (a) => a.state === 'raised' && (!device || a.device === device) && (a.tsMs - evidence.startMs) / 1000 < beforeS,
  );
  if (!offending) return { name, type: 'no-alert', passed: true, detail: `no ${noun} ${scope} in 0–${s(beforeS)}` };
  return {
    name,
    type: 'no-alert',
    passed: false,
    detail: `${offending.device} raised "${offending.rule}" at ${s((offending.tsMs - evidence.startMs) / 1000)}${offending.message ? `: ${offending.message}` : ''}`,
  };
}

/** The peak of each rule's feature on the device against its threshold: why no alert came. */
export function describePeak(device: string, evidence: RunEvidence): string {
  const rules = evidence.scenario.rules.filter((r) => !r.device || r.device === device);
  if (rules.length === 0) return `${evidence.alerts.length} alert changes observed in all`;
  const parts: string[] = [];
  for (const rule of rules) {
    const sensors = [...evidence.peaks.keys()].filter((k) => k.startsWith(`${device}/`) && (!rule.sensor || k === `${device}/${rule.sensor}`));
    const peak = Math.max(...sensors.map((k) => evidence.peaks.get(k)![rule.metric] ?? -Infinity));
    const where = rule.sensor ? `${rule.sensor} ` : '';
    parts.push(Number.isFinite(peak) ? `peak ${where}${rule.metric} ${fmt(peak)} against a threshold of ${rule.above}` : `no ${where}readings from it were stored`);
  }
  return parts.join('; ');
}
