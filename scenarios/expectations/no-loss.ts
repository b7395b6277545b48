import type { Expectation } from '../schema';
import type { ExpectationResult, RunEvidence } from './evidence';
import { heldVerb, streamLosses } from './losses';

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

/**
 * No QoS 1 reading lost on a link. twins->edge: every reading the twins published was acknowledged by the edge.
 * edge->cloud: every reading the edge acknowledged was stored (or passed on upstream). When the scenario simulates
 * the link, it must also have delivered everything it was given by the end of the run.
 */
export function noLossExpectation(expectation: Of<'no-loss'>, evidence: RunEvidence): ExpectationResult {
  const { link, device } = expectation;
  const name = expectation.name ?? `no QoS 1 reading lost on ${link}${device ? ` from ${device}` : ''}`;
  const losses = streamLosses(evidence, link, 1, device === undefined ? {} : { device });
  const [inVerb, outVerb] = link === 'twins->edge' ? ['published', 'acknowledged by the edge'] : ['acknowledged by the edge', heldVerb(evidence)];
  const totalIn = losses.reduce((n, l) => n + l.in, 0);
  const totalOut = losses.reduce((n, l) => n + l.out, 0);
  const lost = losses.reduce((n, l) => n + l.lost, 0);
  const problems = losses.filter((l) => l.lost > 0).map((l) => `${l.device}/${l.sensor}: ${inVerb} ${l.in}, ${outVerb} ${l.out} (${l.lost} lost)`);
  const simulated = evidence.links?.[link];
  if (simulated?.owed) problems.push(`the simulated link still owed ${simulated.owed} messages when the run ended`);
  const linkText = simulated
    ? `; simulated link: ${simulated.sent} sent, ${simulated.retransmittedQos1} resent after a loss, ${simulated.duplicated} duplicated, ${simulated.owed} owed at the end`
    : '';
  const tally = `QoS 1 ${inVerb} ${totalIn}, ${outVerb} ${totalOut}, lost ${lost}${linkText}`;
  return { name, type: 'no-loss', passed: problems.length === 0, detail: problems.length ? `${problems.join('; ')} (${tally})` : tally };
}
