import type { DeviceStats } from '../twins';
import type { Expectation, Scenario } from './schema';
import { fullSeverityAtS } from '../twins';
import type { Coverage, ObservedAlert, StoredCount } from './target';

type AlertRecord = ObservedAlert;

export interface ExpectationResult {
  name: string;
  type: Expectation['type'];
  passed: boolean;
  /** What was measured, in words and figures: why it passed or failed. */
  detail: string;
  /** The target does not judge it, and why; `passed` is false and the run does not fail on it. */
  skipped?: string;
}

/** Everything observed in a run that expectations are judged on: the same for every target. */
export interface RunEvidence {
  scenario: Scenario;
  startMs: number;
  /** Every alert state change the system published, as observed, in event-time order. */
  alerts: readonly ObservedAlert[];
  /** What the twins published, per device. */
  published: readonly DeviceStats[];
  /** What the system stored, per (device, sensor), from its store query. */
  stored?: readonly StoredCount[];
  /** What the system passed on upstream, per (device, sensor), from the observed readings; judged when there is no store. */
  delivered?: readonly Coverage[];
  /** Copies of readings the system passed on more than once (a deduplicating store drops them). */
  duplicatesDropped: number;
  /** Highest value of each feature per `device/sensor`, to explain a missing alert. */
  peaks: ReadonlyMap<string, Record<string, number>>;
}

/** What a skipped expectation reports: its name, and the target's reason. */
export function skippedResult(expectation: Expectation, reason: string): ExpectationResult {
  const name = expectation.name ?? (expectation.type === 'stored-exactly-once' ? 'every QoS 1 reading stored exactly once' : `${expectation.type}${'device' in expectation && expectation.device ? ` on ${expectation.device}` : ''}`);
  return { name, type: expectation.type, passed: false, detail: `skipped: ${reason}`, skipped: reason };
}

export function evaluate(expectation: Expectation, evidence: RunEvidence): ExpectationResult {
  switch (expectation.type) {
    case 'alert':
      return alertExpectation(expectation, evidence);
    case 'no-alert':
      return noAlertExpectation(expectation, evidence);
    case 'stored-exactly-once':
      return storedExactlyOnce(expectation, evidence);
  }
}

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

/** Whether an alert record is of the kind an expectation counts. */
function ofKind(kind: 'any' | 'alert' | 'anomaly'): (a: AlertRecord) => boolean {
  return (a) => kind === 'any' || (a.kind ?? 'alert') === kind;
}

function alertExpectation(expectation: Of<'alert'>, evidence: RunEvidence): ExpectationResult {
  const { device, withinS } = expectation;
  const raised = evidence.alerts.filter((a) => a.device === device && a.state === 'raised').filter(ofKind(expectation.kind));
  const noun = expectation.kind === 'anomaly' ? 'anomaly' : 'alert';
  const at = (a: AlertRecord) => (a.tsMs - evidence.startMs) / 1000;
  const describeAlert = (a: AlertRecord) => `raised at ${s(at(a))} (${a.rule}${a.message ? `: ${a.message}` : ''})`;
  const peak = describePeak(device, evidence);

  if (withinS === undefined) {
    const first = raised[0];
    return {
      name: expectation.name ?? `${noun} on ${device}`,
      type: 'alert',
      passed: first !== undefined,
      detail: first ? describeAlert(first) : `no ${noun} on ${device} during the ${s(evidence.scenario.durationS)} run; ${peak}`,
    };
  }
  const fault = evidence.scenario.faults.filter((f) => f.device === device).sort((a, b) => a.atS - b.atS)[0]!;
  const fromFull = expectation.from === 'full-severity';
  const fromS = fromFull ? fullSeverityAtS(fault) : fault.atS;
  const mark = fromFull ? `fault reached full severity at ${s(fromS)}` : `onset at ${s(fromS)}`;
  // From the onset in both cases: an anomaly found while the fault was still growing is early, not wrong.
  const inWindow = raised.find((a) => at(a) >= fault.atS && at(a) <= fromS + withinS);
  const name = expectation.name ?? `${noun} on ${device} within ${s(withinS)} of its ${fault.type} ${fromFull ? 'reaching full severity' : 'onset'}`;
  if (inWindow) {
    const delay = at(inWindow) - fromS;
    const when = delay >= 0 ? `${s(delay)} after the ${mark}` : `${s(-delay)} before the ${mark}, ${s(at(inWindow) - fault.atS)} after its onset`;
    return { name, type: 'alert', passed: true, detail: `${describeAlert(inWindow)}, ${when}` };
  }
  const later = raised.find((a) => at(a) > fromS + withinS);
  const detail = later
    ? `first ${noun} after the ${mark} came ${s(at(later) - fromS)} later, ${s(at(later) - fromS - withinS)} past the ${s(withinS)} limit: ${describeAlert(later)}`
    : `no ${noun} on ${device} from the onset at ${s(fault.atS)} to the end of the run; ${peak}`;
  return { name, type: 'alert', passed: false, detail };
}

function noAlertExpectation(expectation: Of<'no-alert'>, evidence: RunEvidence): ExpectationResult {
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

function storedExactlyOnce(expectation: Of<'stored-exactly-once'>, evidence: RunEvidence): ExpectationResult {
  const onStore = evidence.stored !== undefined;
  const name = expectation.name ?? (onStore ? 'every QoS 1 reading stored exactly once' : 'every QoS 1 reading passed on exactly once');
  const held: readonly (StoredCount & { overlaps?: number })[] = evidence.stored ?? evidence.delivered ?? [];
  const verb = onStore ? 'stored' : 'passed on';
  const problems: string[] = [];
  let published = 0;
  let stored = 0;
  let qos0Lost = 0;
  for (const device of evidence.published) {
    const summary = held.find((x) => x.device === device.device && x.sensor === device.sensor);
    const count = summary?.count ?? 0;
    const key = `${device.device}/${device.sensor}`;
    if (device.qos === 0) {
      // At most once: a QoS 0 reading may be lost on the way, but never stored twice or invented.
      qos0Lost += device.sent - count;
      if (count > device.sent || (summary?.maxSeq !== undefined && summary.maxSeq >= device.sent)) problems.push(`${key}: ${verb} ${count} QoS 0 readings of ${device.sent} published`);
      continue;
    }
    published += device.sent;
    stored += count;
    // A simulated link may deliver a reading twice (duplicates, resends), so more acknowledgements than readings is fine.
    if (device.acked < device.sent) problems.push(`${key}: ${device.sent - device.acked} of ${device.sent} published readings were never acknowledged`);
    // seq runs 0…sent−1: count = sent over exactly that range, with nothing counted twice, means each exactly once.
    const range = summary?.minSeq !== undefined ? `, seq ${summary.minSeq}–${summary.maxSeq}` : '';
    const wrongRange = count > 0 && summary?.minSeq !== undefined && (summary.minSeq !== 0 || summary.maxSeq !== device.sent - 1);
    if (count !== device.sent || wrongRange) problems.push(`${key}: published ${device.sent}, ${verb} ${count}${range}`);
    if (summary?.distinct !== undefined && summary.distinct < summary.count) problems.push(`${key}: ${summary.count - summary.distinct} readings ${verb} twice`);
    if (summary?.overlaps) problems.push(`${key}: ${summary.overlaps} readings in two different windows`);
  }
  for (const summary of held) {
    if (!evidence.published.some((d) => d.device === summary.device && d.sensor === summary.sensor)) {
      problems.push(`${summary.device}/${summary.sensor}: ${verb} ${summary.count} readings that no twin published`);
    }
  }
  const qos0 = evidence.published.some((d) => d.qos === 0) ? `; QoS 0 readings lost ${qos0Lost}` : '';
  const copies = onStore ? `duplicates dropped ${evidence.duplicatesDropped}` : `copies redelivered ${evidence.duplicatesDropped}`;
  const tally = `QoS 1 published ${published}, ${verb} ${stored}, ${copies}${qos0}`;
  return { name, type: 'stored-exactly-once', passed: problems.length === 0, detail: problems.length ? `${problems.join('; ')} (${tally})` : tally };
}

function describePeak(device: string, evidence: RunEvidence): string {
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

function s(seconds: number): string {
  return `${fmt(seconds)} s`;
}

function fmt(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}
