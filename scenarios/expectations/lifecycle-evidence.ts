import type { ObservationLog } from '../target';
import type { RunEvidence } from './evidence';

/** The model lifecycle the observer saw (replies to commands, rollout statuses), with event times as run seconds. */
export function lifecycleEvidence(log: Pick<ObservationLog, 'replies' | 'rollouts'>, startMs: number): Pick<RunEvidence, 'replies' | 'rollouts'> {
  const atS = (tsMs: number) => (tsMs - startMs) / 1000;
  return {
    replies: log.replies.map((reply) => ({ ...reply, atS: atS(reply.tsMs) })),
    rollouts: new Map([...log.rollouts].map(([id, statuses]) => [id, statuses.map((status) => ({ ...status, atS: atS(status.tsMs) }))])),
  };
}
