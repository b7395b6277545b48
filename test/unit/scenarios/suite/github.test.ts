import { describe, expect, it } from 'vitest';
import { annotations, escapeData, escapeProperty } from '../../../../scenarios/suite/reporters/github-reporter';
import { expectationLines } from '../../../../scenarios/suite/reporters/expectation-lines';
import { everyStatus, run, suiteTest } from './report-fixtures';

describe('GitHub annotations', () => {
  it('escapes messages and property values as the Actions toolkit does', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('a:b, c%')).toBe('a%3Ab%2C c%25');
  });

  it('puts a failed expectation on the line of its expect: entry', () => {
    const [, failed] = everyStatus();
    expect(annotations(failed!, false)).toEqual([
      '::error file=s/b-failed.yaml,line=8,title=s/b-failed.yaml › pump <1> & co%3A alert on pump-1::observed "0.03" < expected 0.2,%0Asee ::here:: 100%25\u0007%0Areproduce: twinbed run s/b-failed.yaml --seed 7\n',
    ]);
  });

  it('warns on a flaky test, and makes it an error under --fail-on-flaky; timed-out and errored tests point at name:', () => {
    const [, , flaky, timedOut, errored, interrupted] = everyStatus();
    expect(annotations(flaky!, false)[0]).toMatch(/^::warning file=s\/c-flaky\.yaml,line=1,title=.*%3A flaky::failed on attempt 1, passed on retry 1%0A✗ alert on pump-1/);
    expect(annotations(flaky!, true)[0]).toMatch(/^::error /);
    expect(annotations(timedOut!, false)[0]).toBe('::error file=s/d-timed-out.yaml,line=1,title=s/d-timed-out.yaml › pump <1> & co%3A timed out::timed out after 2 s of wall time (--timeout)\n');
    expect(annotations(errored!, false)[0]).toContain('title=s/e-errored.yaml › pump <1> & co%3A twinbed failed::the worker process was ended by SIGKILL');
    expect(annotations(interrupted!, false)).toEqual([]);
  });

  it('matches results to expect: entries by type in order, thresholds to their metric, anything else to the section', () => {
    const lines = expectationLines(suiteTest('s/x.yaml'), [
      ...run(false).expectations,
      { name: 'something new', type: 'command', passed: false, detail: '' } as never,
    ]);
    expect(lines).toEqual([7, 8, 11, 10]);
  });
});
