import { RolloutError } from './errors';
import type { RolloutGroup } from './rollout-spec';

/** A known gateway: its id, or its id and site (needed only by groups that select a site). */
export type GatewayRef = string | { id: string; site?: string };

// ceil(p·n/100) on floats: 1.1% of 3000 computes to 33.00000000000001, which must not round up to 34.
const ROUNDING_SLACK = 1e-9;

/**
 * The gateway ids of each group, in group order, each gateway in the first group that claims it: an explicit list
 * takes its members, a percent takes the first ⌈percent·n/100⌉ of the n gateways left (at its site, when set), in
 * the order given. Gateways no group claims are not part of the rollout.
 */
export function assignGroups(groups: readonly RolloutGroup[], gateways: readonly GatewayRef[]): string[][] {
  const known = gateways.map((g) => (typeof g === 'string' ? { id: g } : g));
  const ids = new Set(known.map((g) => g.id));
  const taken = new Set<string>();
  return groups.map((group, index) => {
    let members: string[];
    if (group.gateways !== undefined) {
      const unknown = group.gateways.filter((id) => !ids.has(id));
      if (unknown.length > 0) {
        throw new RolloutError(
          'E_ROLLOUT_SPEC',
          `groups[${index}].gateways names ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is not a known gateway' : 'are not known gateways'}; check the ids or wait until they have reported`,
        );
      }
      members = [...new Set(group.gateways)].filter((id) => !taken.has(id));
    } else {
      if (group.site !== undefined && known.some((g) => g.site === undefined)) {
        throw new RolloutError(
          'E_ROLLOUT_SPEC',
          `groups[${index}] selects site ${group.site}, but gateways were given without their sites; pass them as { id, site }`,
        );
      }
      const left = known.filter((g) => !taken.has(g.id) && (group.site === undefined || g.site === group.site)).map((g) => g.id);
      const count = Math.ceil(((group.percent ?? 100) * left.length) / 100 - ROUNDING_SLACK);
      members = left.slice(0, count);
    }
    for (const id of members) taken.add(id);
    return members;
  });
}
