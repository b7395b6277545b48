import { describe, expect, it } from 'vitest';
import { assignGroups, RolloutGroupSchema } from '../../../../cloud/lifecycle';

const groups = (...input: unknown[]) => input.map((g) => RolloutGroupSchema.parse(g));
const fleet = (n: number) => Array.from({ length: n }, (_, i) => `gw-${i + 1}`);

describe('assignGroups', () => {
  it('rounds a percent of the gateways left up, in the order given', () => {
    expect(assignGroups(groups({ percent: 34 }, { percent: 50 }, {}), fleet(3))).toEqual([['gw-1', 'gw-2'], ['gw-3'], []]);
  });

  it('takes exactly 33 for 1.1% of 3000 although 1.1·3000/100 is 33.00000000000001 in floating point', () => {
    expect((1.1 * 3000) / 100).toBeGreaterThan(33);
    expect(assignGroups(groups({ percent: 1.1 }), fleet(3000))[0]).toHaveLength(33);
  });

  it('keeps a gateway in the first group that claims it', () => {
    expect(assignGroups(groups({ gateways: ['gw-2'] }, { gateways: ['gw-2', 'gw-1'] }, {}), fleet(3))).toEqual([['gw-2'], ['gw-1'], ['gw-3']]);
  });

  it('selects by site, with a percent of that site', () => {
    const known = [
      { id: 'a-1', site: 'plant-a' },
      { id: 'b-1', site: 'plant-b' },
      { id: 'a-2', site: 'plant-a' },
      { id: 'a-3', site: 'plant-a' },
    ];
    expect(assignGroups(groups({ site: 'plant-a', percent: 50 }, { site: 'plant-a' }, {}), known)).toEqual([['a-1', 'a-2'], ['a-3'], ['b-1']]);
    expect(() => assignGroups(groups({ site: 'plant-a' }), ['a-1'])).toThrow(/given without their sites; pass them as \{ id, site \}/);
  });

  it('refuses a group that mixes an explicit list with a percent', () => {
    expect(RolloutGroupSchema.safeParse({ gateways: ['gw-1'], percent: 10 }).success).toBe(false);
  });
});
