import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junitXml } from '../../../../scenarios/suite/reporters/junit-reporter';
import { junitSeconds, xmlAttr, xmlText } from '../../../../scenarios/suite/reporters/junit-xml';
import { everyStatus, SUMMARY } from './report-fixtures';

const XSD = 'test/fixtures/junit/junit-10.xsd';

describe('JUnit XML escaping', () => {
  it('escapes markup in text and attributes, and line breaks and quotes in attributes', () => {
    expect(xmlText('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; "d"');
    expect(xmlAttr('say "hi" <now>\n\tok & done\r')).toBe('say &quot;hi&quot; &lt;now&gt;&#10;&#9;ok &amp; done&#13;');
  });

  it('replaces characters XML 1.0 cannot carry, even escaped, with visible \\u{…} text', () => {
    expect(xmlText('bell\u0007 nul\u0000 ok')).toBe('bell\\u{7} nul\\u{0} ok');
    expect(xmlAttr('lone \uD800 surrogate')).toBe('lone \\u{d800} surrogate');
    // A proper surrogate pair (an emoji) is text like any other.
    expect(xmlText('pump 🔧')).toBe('pump 🔧');
  });

  it('writes seconds with at most three decimals and no digit grouping', () => {
    expect(junitSeconds(98_765_432)).toBe('98765.432');
    expect(junitSeconds(-5)).toBe('0.000');
  });
});

describe('junitXml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-junit-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('validates against the Jenkins xUnit JUnit schema with a test in every status and hostile text', async () => {
    const file = join(dir, 'junit.xml');
    await writeFile(file, junitXml(SUMMARY, everyStatus(), { failOnFlaky: true }));
    const lint = spawnSync('xmllint', ['--schema', XSD, '--noout', file], { encoding: 'utf8' });
    expect(lint.status, lint.stderr).toBe(0);
  });

  it('puts a failed expectation, observed against expected, and its file:line in the failure message', () => {
    const xml = junitXml(SUMMARY, everyStatus(), { failOnFlaky: false });
    expect(xml).toContain(
      '<failure type="alert" message="alert on pump-1: observed &quot;0.03&quot; &lt; expected 0.2,&#10;see ::here:: 100%\\u{7} (s/b-failed.yaml:8)">',
    );
    expect(xml).toContain('<testsuites name="twinbed test" tests="6" failures="2" errors="1" time="98765.432">');
    expect(xml).toContain('<testcase classname="s/b-failed.yaml" name="pump &lt;1&gt; &amp; co" time="1.234">');
    expect(xml).toContain('<flakyFailure type="failed" message="attempt 1: ✗ alert on pump-1: no alert on pump-1 during the 4 s run; peak accel rms 0.03 against a threshold of 0.2 (s/c-flaky.yaml:8)">');
    expect(xml).toContain('<failure type="timedOut" message="timed out after 2 s of wall time (--timeout) (s/d-timed-out.yaml:1)">');
    expect(xml).toContain('<error type="errored" message="the worker process was ended by SIGKILL while running the test">');
    expect(xml).toContain('<system-err>FATAL &lt;oops&gt; &amp; "gone"</system-err>');
    expect(xml).toContain('<skipped message="interrupted: the suite stopped before this test finished (--max-failures or a signal)"/>');
    // A threshold result is placed on its metric's line under thresholds:.
    expect(xml).toContain('passed: qos1_lost ==0: qos1_lost = 0 (s/a-passed.yaml:11)');
  });

  it('marks a flaky test as a failure only under --fail-on-flaky', () => {
    expect(junitXml(SUMMARY, everyStatus(), { failOnFlaky: true })).toContain('<failure type="flaky" message="flaky: passed only on retry 1 (--fail-on-flaky)">');
    expect(junitXml(SUMMARY, everyStatus(), { failOnFlaky: false })).not.toContain('type="flaky"');
  });
});
