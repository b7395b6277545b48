import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../scenarios/index';
import { FAULT_TYPES, TEMPLATES } from '../../../twins/index';
import { ROOT } from '../../support/twinbed-process';

const dir = join(ROOT, 'scenarios', 'library');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const library = files.map((file) => ({ file, scenario: parseScenario(readFileSync(join(dir, file), 'utf8'), join('scenarios/library', file)) }));

describe('the scenario library', () => {
  it.each(files)('%s is a valid scenario that points editors at the JSON Schema', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).toContain('# yaml-language-server: $schema=../scenario.schema.json');
    expect(library.find((l) => l.file === file)!.scenario.name.length).toBeGreaterThan(0);
  });

  it('has an example of every fault family and every machine template', () => {
    const faultTypes = new Set<string>(library.flatMap(({ scenario }) => scenario.faults.map((f) => f.type)));
    expect(FAULT_TYPES.filter((t) => !faultTypes.has(t))).toEqual([]);
    const bearingComponents = new Set(library.flatMap(({ scenario }) => scenario.faults.flatMap((f) => (f.type === 'bearing' ? [f.component] : []))));
    expect([...bearingComponents].sort()).toEqual(['ball', 'cage', 'inner', 'outer']);
    const templates = new Set(library.flatMap(({ scenario }) => scenario.twins.map((t) => t.template)));
    expect([...templates].sort()).toEqual([...TEMPLATES].sort());
  });

  it('has a 20-machine factory for the generation benchmark, which runs it for an hour', () => {
    const factory = library.find((l) => l.file === 'factory-20.yaml')!.scenario;
    expect(factory.twins).toHaveLength(20);
    expect(readFileSync(join(ROOT, 'bench', 'twins.ts'), 'utf8')).toContain('const HOUR_S = 3600;');
  });
});
