import type { Expectation } from '../schema';
import { judgeThreshold } from '../thresholds/measure';
import { thresholdName, type ThresholdCheck } from '../thresholds/checks';
import { alertExpectation, noAlertExpectation } from './alert';
import { commandExpectation } from './command';
import type { ExpectationResult, RunEvidence } from './evidence';
import { noLossExpectation } from './no-loss';
import { replyExpectation } from './reply';
import { rolloutExpectation } from './rollout';
import { storedExactlyOnce } from './stored';

/** What a run judges: a scenario expectation, or one condition of its `thresholds:`. */
export type Judged = Expectation | ThresholdCheck;

export function evaluate(expectation: Judged, evidence: RunEvidence): ExpectationResult {
  switch (expectation.type) {
    case 'alert':
      return alertExpectation(expectation, evidence);
    case 'no-alert':
      return noAlertExpectation(expectation, evidence);
    case 'stored-exactly-once':
      return storedExactlyOnce(expectation, evidence);
    case 'command':
      return commandExpectation(expectation, evidence);
    case 'no-loss':
      return noLossExpectation(expectation, evidence);
    case 'rollout':
      return rolloutExpectation(expectation, evidence);
    case 'reply':
      return replyExpectation(expectation, evidence);
    case 'threshold':
      return judgeThreshold(expectation, evidence);
  }
}

/** What a skipped expectation reports: its name, and the target's reason. */
export function skippedResult(expectation: Judged, reason: string): ExpectationResult {
  return { name: nameOf(expectation), type: expectation.type, passed: false, detail: `skipped: ${reason}`, skipped: reason };
}

function nameOf(expectation: Judged): string {
  switch (expectation.type) {
    case 'threshold':
      return thresholdName(expectation);
    case 'stored-exactly-once':
      return expectation.name ?? 'every QoS 1 reading stored exactly once';
    case 'command':
      return expectation.name ?? `${expectation.action} command to ${expectation.device}`;
    case 'no-loss':
      return expectation.name ?? `no QoS 1 reading lost on ${expectation.link}${expectation.device ? ` from ${expectation.device}` : ''}`;
    case 'rollout':
      return expectation.name ?? `rollout ${expectation.id} ${expectation.state}`;
    case 'reply':
      return expectation.name ?? `${expectation.device} ${expectation.ok ? 'accepts' : 'refuses'} ${expectation.action}`;
    default:
      return expectation.name ?? `${expectation.type}${expectation.device ? ` on ${expectation.device}` : ''}`;
  }
}
