import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes, type Client } from 'aedes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from '../../sim';
import { runTwinbed } from '../support/twinbed-process';
import { jsonResults, junitCases, validateJunit } from './test-command-support';

// A genuinely flaky system under test, played by this file on a real broker: a pipeline that misses pump-1's
// imbalance in its first session with the twins and alerts on it in every later one (a cache that warms up).
// twinbed knows nothing of it: it retries, and the retry passes. No test hook in twinbed.

const SCENARIO = 'test/fixtures/suites/flaky/pipeline-warms-up.yaml';
const TARGET = 'test/fixtures/suites/flaky/stand-in-pipeline.yaml';
/** The scenario's startTime; the stand-in alerts on a reading from 1.5 s into the run, after the fault's onset at 1 s. */
const START_MS = Date.parse('2026-01-01T00:00:00Z');

let aedes: Aedes;
let server: Server;
let url: string;
let dir: string;
let sessions = 0;
let alerted = false;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-test-retries-'));
  aedes = await Aedes.createBroker();
  aedes.on('client', (client: Client) => {
    if (client.id !== 'standin-pump-1') return;
    sessions++;
    alerted = false;
  });
  aedes.on('publish', (packet, client) => {
    if (client?.id !== 'standin-pump-1' || sessions < 2 || alerted) return;
    const reading = JSON.parse(packet.payload.toString()) as { ts: number };
    if (reading.ts < START_MS + 1500) return;
    alerted = true;
    const alert = { device: 'pump-1', tsMs: reading.ts, rule: 'stand-in pipeline, warmed up' };
    aedes.publish({ cmd: 'publish', topic: 'standin/alerts/pump-1', payload: Buffer.from(JSON.stringify(alert)), qos: 1, retain: false, dup: false }, () => {});
  });
  server = createServer(aedes.handle);
  url = `mqtt://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sessions = 0;
});

describe('twinbed test --retries', () => {
  it('reports a scenario that fails and then passes on a retry as flaky, and exits 0', async () => {
    const out = join(dir, 'flaky');
    const { code, stdout, stderr } = await runTwinbed(['test', SCENARIO, '--target', TARGET, '--retries', '2', '--reporter', 'list,json,junit', '--output', out], { env: { TWINBED_STANDIN_URL: url } });
    expect(code, stdout + stderr).toBe(0);
    expect(sessions).toBe(2);
    expect(stdout).toContain(`± [1/1] ${SCENARIO} › pipeline that warms up flaky`);
    expect(stdout).toMatch(/attempt 1: failed\n\s+✗ alert on pump-1: no alert on pump-1 from the onset at 1 s to the end of the run/);
    expect(stdout).toContain('passed on retry 1');
    expect(stdout).toMatch(/PASSED: 1 flaky in /);
    const { summary, results } = await jsonResults(out);
    expect(summary).toMatchObject({ status: 'passed', exitCode: 0, counts: { flaky: 1 } });
    expect(results[0]!.attempts.map((a) => a.status)).toEqual(['failed', 'passed']);
    const lint = validateJunit(join(out, 'junit.xml'));
    expect(lint.status, lint.output).toBe(0);
    expect((await junitCases(join(out, 'junit.xml')))[0]!.verdicts).toEqual(['flakyFailure']);
  });

  it('fails the suite (exit 1) on a flaky scenario with --fail-on-flaky', async () => {
    const { code, stdout, stderr } = await runTwinbed(['test', SCENARIO, '--target', TARGET, '--retries', '1', '--fail-on-flaky', '--reporter', 'github,list'], { env: { TWINBED_STANDIN_URL: url } });
    expect(code, stdout + stderr).toBe(1);
    expect(stdout).toMatch(/^::error file=test\/fixtures\/suites\/flaky\/pipeline-warms-up\.yaml,line=3,title=.*%3A flaky::failed on attempt 1, passed on retry 1/m);
    expect(stdout).toMatch(/FAILED \(exit 1\): 1 flaky in /);
  });
});
