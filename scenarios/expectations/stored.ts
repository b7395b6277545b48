import type { Expectation } from '../schema';
import type { StoredCount } from '../target';
import type { ExpectationResult, RunEvidence } from './evidence';

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

export function storedExactlyOnce(expectation: Of<'stored-exactly-once'>, evidence: RunEvidence): ExpectationResult {
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
