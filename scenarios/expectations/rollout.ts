import type { Expectation } from '../schema';
import type { ExpectationResult, RolloutStatusEvidence, RunEvidence } from './evidence';
import { fmt, s } from './format';

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;
type GatewayStatus = RolloutStatusEvidence['gateways'][number];

/**
 * A staged model rollout's last observed status is in `state`, and each named gateway's last phase is the one given;
 * with withinS, it reached that (and stayed) within withinS of the rollout's first observed status. Judged on the
 * retained statuses the cloud publishes, so a rollout never observed fails.
 */
export function rolloutExpectation(expectation: Of<'rollout'>, evidence: RunEvidence): ExpectationResult {
  const { id, state, withinS } = expectation;
  const wanted = Object.entries(expectation.gateways ?? {});
  const name =
    expectation.name ??
    `rollout ${id} ${state}${wanted.length ? ` with ${wanted.map(([gateway, phase]) => `${gateway} ${phase}`).join(', ')}` : ''}${withinS !== undefined ? ` within ${s(withinS)} of its first status` : ''}`;
  const statuses = evidence.rollouts.get(id) ?? [];
  const last = statuses.at(-1);
  if (!last) {
    const seen = [...evidence.rollouts].map(([other, list]) => `${other} ${list.at(-1)!.state}`);
    const others = seen.length ? `; observed: ${seen.join(', ')}` : '; no rollout at all was observed';
    return { name, type: 'rollout', passed: false, detail: `no status of rollout ${id} was observed${others}` };
  }
  // Each status judged with every gateway's phase as of it: it reached the expected state for good after the last miss.
  const phases = new Map<string, GatewayStatus>();
  let reached = 0;
  let problem: string | undefined;
  for (const [i, status] of statuses.entries()) {
    for (const gateway of status.gateways) phases.set(gateway.gateway, gateway);
    problem = mismatch(expectation, status, phases);
    if (problem !== undefined) reached = i + 1;
  }
  const described = describeStatus(last, phases);
  if (problem !== undefined) return { name, type: 'rollout', passed: false, detail: `rollout ${id} is ${problem} (${described})` };

  const first = statuses[0]!;
  const at = statuses[reached]!;
  const delay = at.atS - first.atS;
  const since = reached === 0 ? ', its first observed status' : `, ${s(delay)} after its first status at ${s(first.atS)}`;
  const when = `${state} at ${s(at.atS)}${since}`;
  if (withinS !== undefined && delay > withinS) {
    return { name, type: 'rollout', passed: false, detail: `rollout ${id} became ${when}, ${s(delay - withinS)} past the ${s(withinS)} limit (${described})` };
  }
  return { name, type: 'rollout', passed: true, detail: `rollout ${id} ${when} (${described})` };
}

/** What does not match in words (`running, not paused`), or undefined when the status is as expected (each gateway as of it). */
function mismatch(expectation: Of<'rollout'>, status: RolloutStatusEvidence, phases: ReadonlyMap<string, GatewayStatus>): string | undefined {
  if (status.state !== expectation.state) return `${status.state}, not ${expectation.state}`;
  const wrong: string[] = [];
  for (const [gateway, phase] of Object.entries(expectation.gateways ?? {})) {
    const seen = phases.get(gateway);
    if (!seen) wrong.push(`${gateway} is not in it`);
    else if (seen.phase !== phase) wrong.push(`${gateway} is ${seen.phase}, not ${phase}`);
  }
  return wrong.length ? `${status.state}, but ${wrong.join(', ')}` : undefined;
}

/** `group 1/2, reason: …; gw-a observing 12 windows; gw-b rolled-back 60 windows, 12% over: …`. */
function describeStatus(status: RolloutStatusEvidence, phases: ReadonlyMap<string, GatewayStatus>): string {
  const head = `group ${status.group}/${status.groups}${status.reason ? `, reason: ${status.reason}` : ''}`;
  const gateways = [...phases.values()].map((g) => {
    const over = g.overRate !== undefined ? `, ${fmt(g.overRate * 100)}% over` : '';
    return `${g.gateway} ${g.phase} ${g.windows} window${g.windows === 1 ? '' : 's'}${over}${g.reason ? `: ${g.reason}` : ''}`;
  });
  return [head, ...gateways].join('; ');
}
