import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../../../scenarios/thresholds/index';
import { ROOT } from '../../../support/twinbed-process';

/** The README's metric catalogue, row by row: metric, unit, kind, tags, targets. */
function readmeCatalogue(): string[][] {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const table = /\| metric \| unit \| kind \| tags \| targets \| how it is measured \|\n\| --- [^\n]*\n((?:\|[^\n]*\n)+)/.exec(readme)?.[1];
  if (!table) throw new Error('README has no metric catalogue table');
  return table
    .trim()
    .split('\n')
    .map((row) => row.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('the metric catalogue', () => {
  it('is documented in the README, one row per metric, with its unit, kind, tags and targets', () => {
    const rows = readmeCatalogue();
    expect(rows.map((r) => r[0])).toEqual(Object.keys(METRICS).map((m) => `\`${m}\``));
    for (const [name, spec] of Object.entries(METRICS)) {
      const row = rows.find((r) => r[0] === `\`${name}\``)!;
      expect(row[1]!.split(',')[0], name).toBe(spec.unit);
      expect(row[1]!.includes('wall'), name).toBe(spec.clock === 'wall');
      expect(row[2], name).toBe(spec.shape);
      expect(row[3], name).toBe(spec.tags.join(', '));
      expect(row[4]!.startsWith(spec.targets.length === 2 ? 'both' : 'embedded'), name).toBe(true);
    }
  });
});
