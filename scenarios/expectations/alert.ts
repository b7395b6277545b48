import type { Expectation } from '../schema';
import type { ObservedAlert } from '../target';
import type { ExpectationResult, RunEvidence } from './evidence';
import { faultsOf, fullSeverityAtS, type IdentifiedFault } from './faults';
import { fmt, s, span } from './format';

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

/** At most this many other alerts are quoted in a failure. */
const QUOTED = 5;

/** Whether an alert record is of the kind an expectation counts. */
export function ofKind(kind: 'any' | 'alert' | 'anomaly'): (a: ObservedAlert) => boolean {
  return (a) => kind === 'any' || (a.kind ?? 'alert') === kind;
}

/** Whether an alert record is of the rule an expectation names: exactly, or its first words (`drift` → `drift kurtosis`). */
export function ofRule(rule: string | undefined): (a: ObservedAlert) => boolean {
  return (a) => rule === undefined || a.rule === rule || a.rule.startsWith(`${rule} `);
}

/** `alert`, `anomaly`, `"drift" alert`: what an expectation counts, in words. */
function nounOf(expectation: Pick<Of<'alert'>, 'kind' | 'rule'>): string {
  return `${expectation.rule !== undefined ? `"${expectation.rule}" ` : ''}${expectation.kind === 'anomaly' ? 'anomaly' : 'alert'}`;
}

/**
 * An alert on the device, counted only at or after the onset of the fault it is about. With `fault:` that fault;
 * without, any of the device's faults: with withinS it passes when one of them is followed by an alert within its
 * window, so name the fault (one expectation each) to require every fault to be detected. With afterS or beforeS
 * instead, one raised in that window of run seconds. `rule:` counts only the alerts of that rule.
 */
export function alertExpectation(expectation: Of<'alert'>, evidence: RunEvidence): ExpectationResult {
  const { device, withinS, afterS, beforeS } = expectation;
  const raised = evidence.alerts.filter((a) => a.device === device && a.state === 'raised').filter(ofKind(expectation.kind)).filter(ofRule(expectation.rule));
  const noun = nounOf(expectation);
  const at = (a: ObservedAlert) => (a.tsMs - evidence.startMs) / 1000;
  const describeAlert = (a: ObservedAlert) => `raised at ${s(at(a))} (${a.rule}${a.message ? `: ${a.message}` : ''})`;
  // Why none came: the rules' peaks, or for a named rule, the rules the device did raise.
  const whyNone = expectation.rule === undefined ? describePeak(device, evidence) : describeOtherRules(device, evidence);

  if (afterS !== undefined || beforeS !== undefined) {
    const fromS = afterS ?? 0;
    const toS = beforeS ?? evidence.scenario.durationS;
    const name = expectation.name ?? `${noun} on ${device} ${span(afterS, beforeS)}`;
    const counted = raised.find((a) => at(a) >= fromS && at(a) <= toS);
    if (counted) return { name, type: 'alert', passed: true, detail: describeAlert(counted) };
    const outside = raised.length ? ` (${raised.length} raised outside it, not counted)` : '';
    return { name, type: 'alert', passed: false, detail: `no ${noun} on ${device} in ${fmt(fromS)}–${s(toS)}${outside}; ${whyNone}` };
  }

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
      ? `no ${noun} on ${device} from the ${onsetOf(faults[0]!)} to the end of the run${before}; ${whyNone}`
      : `no ${noun} on ${device} during the ${s(evidence.scenario.durationS)} run; ${whyNone}`;
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
        : `no ${noun} on ${device} from the ${onsetOf(f)} to the end of the run; ${whyNone}`,
    );
  }
  return { name, type: 'alert', passed: false, detail: misses.length ? misses.join('; ') : `${device} has no fault to count withinS from` };
}

/** No alert (of the kind and rule) raised on the device, or any device, in [afterS, beforeS) run seconds. */
export function noAlertExpectation(expectation: Of<'no-alert'>, evidence: RunEvidence): ExpectationResult {
  const { device, afterS = 0, beforeS = evidence.scenario.durationS } = expectation;
  const scope = device ? `on ${device}` : 'on any device';
  const noun = nounOf(expectation);
  const windowed = expectation.afterS !== undefined || expectation.beforeS !== undefined;
  const name = expectation.name ?? `no ${noun} ${scope}${windowed ? ` ${span(expectation.afterS, expectation.beforeS)}` : ''}`;
  const at = (a: ObservedAlert) => (a.tsMs - evidence.startMs) / 1000;
  const offending = evidence.alerts
    .filter(ofKind(expectation.kind))
    .filter(ofRule(expectation.rule))
    .find((a) => a.state === 'raised' && (!device || a.device === device) && at(a) >= afterS && at(a) < beforeS);
  if (!offending) return { name, type: 'no-alert', passed: true, detail: `no ${noun} ${scope} in ${fmt(afterS)}–${s(beforeS)}` };
  return { name, type: 'no-alert', passed: false, detail: `${offending.device} raised "${offending.rule}" at ${s(at(offending))}${offending.message ? `: ${offending.message}` : ''}` };
}

/** The rules the device did raise: why no alert of a named rule came. */
function describeOtherRules(device: string, evidence: RunEvidence): string {
  const raised = evidence.alerts.filter((a) => a.device === device && a.state === 'raised');
  if (raised.length === 0) return `${device} raised no alert of any rule`;
  const quoted = raised.slice(0, QUOTED).map((a) => `"${a.rule}" at ${s((a.tsMs - evidence.startMs) / 1000)}`);
  return `it raised ${quoted.join(', ')}${raised.length > QUOTED ? ` and ${raised.length - QUOTED} more` : ''}`;
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
