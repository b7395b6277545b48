import type { SoakResult } from './run-soak';
import { GROWTH_LIMIT } from './soak-report';

/** Simulated seconds behind the clock past which the summary warns that peaks after warm-up may be a catch-up. */
const LAG_NOTE_S = 120;

/**
 * Everything a soak must hold, as the problems that break it: each judged measure grew by less than GROWTH_LIMIT after
 * warm-up; every reading a twin had acknowledged is covered by the cloud's windows exactly once (as
 * test/support/stored-once.ts judges, on windows counted as they were committed, since retention rolls them up); and
 * what compaction kept plus what it folded is every window the cloud stored, no more, no less.
 */
export function soakVerdict(result: SoakResult): { summary: string; problems: string[] } {
  const problems = [...result.problems];
  for (const g of result.growth) if (g.judged && !(g.growth < GROWTH_LIMIT)) problems.push(`${g.label} grew ${(g.growth * 100).toFixed(1)}% after warm-up (limit ${GROWTH_LIMIT * 100}%)`);
  if (!result.settled) problems.push('the cloud did not cover every acknowledged reading within the settle timeout');
  for (const d of result.published) {
    const s = result.stored.find((q) => q.device === d.device && q.sensor === d.sensor);
    if (d.failed > 0) problems.push(`${d.device}/${d.sensor}: ${d.failed} publishes failed`);
    if (!s || s.count !== d.acked || s.minSeq !== 0 || s.maxSeq !== d.acked - 1) {
      problems.push(`${d.device}/${d.sensor}: ${d.acked} readings acknowledged, the cloud's windows cover ${s ? `${s.count} (seq ${s.minSeq} … ${s.maxSeq})` : 'none'}`);
    }
  }
  if (result.windowsKept + result.windowsRolledUp !== result.cloud.stored) {
    problems.push(`the store holds ${result.windowsKept} windows and its hour rollups ${result.windowsRolledUp}, but the cloud stored ${result.cloud.stored}`);
  }
  const acked = result.published.reduce((n, d) => n + d.acked, 0);
  const summary =
    `soak: ${result.runMin} simulated min at ×${result.timeScale} in ${result.wallS.toFixed(0)} s wall; warm-up ${result.warmupMin} min; ${result.samples.length} samples` +
    `${result.gcBeforeSample ? ' after a full GC each' : ' (no --expose-gc: heap as found)'}; ${result.faults} faults, ${result.partitions} partitions\n` +
    `soak: ${acked} readings acknowledged in ${result.cloud.stored} windows, ${result.windowsRolledUp} rolled up, ${result.windowsKept} kept\n` +
    `soak: at most ${(result.maxOwed / result.blocksPerS).toFixed(1)} simulated s behind the clock after warm-up; ${result.cloud.duplicatesDropped} duplicates dropped, ${result.cloud.rawStored} raw blocks stored, ${result.cloud.alertsRaised} cloud alerts, ${result.gateway.events} edge events`;
  const behindS = result.maxOwed / result.blocksPerS;
  const pace =
    behindS > LAG_NOTE_S
      ? `\nsoak: after warm-up the stack fell up to ${behindS.toFixed(0)} simulated s behind its clock (the machine was busy?): a store or RSS peak after that may be the catch-up, not a leak`
      : '';
  return { summary: summary + pace, problems };
}
