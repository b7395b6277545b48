import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../scenarios';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { ROOT, runTwinbed, spawnTwinbed, type TwinbedProcess } from '../../support/twinbed-process';

// Bring your own gateway: twinbed's gateway runs as a process of its own between two Mosquitto brokers, and
// `twinbed run … --target scenarios/targets/external.yaml` judges it strictly by what crosses the wire.

const SCENARIO = `${ROOT}/scenarios/library/bearing-anomaly.yaml`;
const TARGET = `${ROOT}/scenarios/targets/external.yaml`;
const GATEWAY = `${ROOT}/scenarios/targets/twinbed-gateway.yaml`;

interface Sut {
  devices: Mosquitto;
  upstream: Mosquitto;
  gateway: TwinbedProcess;
  env: NodeJS.ProcessEnv;
}

async function startSut(gatewayConfig: string): Promise<Sut> {
  // Mosquitto drops QoS 1 messages beyond 1000 queued for a subscriber that lags. At virtual time the twins publish
  // 480 s of 25.6 kHz vibration in seconds, faster than the gateway (or the observer) takes it: without this, the
  // run fails on readings the brokers dropped (which is what it is for). A deployment sizes this limit the same way.
  const unbounded = ['max_queued_messages 0'];
  const devices = await startMosquitto(unbounded);
  const upstream = await startMosquitto(unbounded);
  const env = {
    TWINBED_DEVICE_URL: `mqtt://127.0.0.1:${devices.port}`,
    TWINBED_UPSTREAM_URL: `mqtt://127.0.0.1:${upstream.port}`,
    TWINBED_OBSERVE_URL: `mqtt://127.0.0.1:${upstream.port}`,
  };
  const gateway = spawnTwinbed(['gateway', '--config', gatewayConfig], { env });
  await gateway.waitFor(/"msg":"gateway ready"/, 30_000);
  // The uplink connects in the background: wait for it, so nothing the twins send sits in the outbox at the start.
  await gateway.waitFor(/"msg":"uplink connected"/, 30_000);
  return { devices, upstream, gateway, env };
}

async function stopSut(sut: Sut | undefined): Promise<void> {
  await sut?.gateway.stop();
  await sut?.devices.close();
  await sut?.upstream.close();
}

describe('bring your own gateway: external.yaml against twinbed gateway as a black box', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-byo-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes bearing-anomaly.yaml: the anomaly within 60 s of full severity, no threshold alert, every reading passed on once', { timeout: 240_000 }, async () => {
    let sut: Sut | undefined;
    try {
      sut = await startSut(GATEWAY);
      const report = join(dir, 'pass.json');
      const run = await runTwinbed(['run', SCENARIO, '--target', TARGET, '--json', report], { env: sut.env });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const result = JSON.parse(await readFile(report, 'utf8')) as RunResult;
      expect(result.target).toBe(TARGET);
      expect(result.expectations.map((e) => [e.type, e.passed])).toEqual([
        ['no-alert', true],
        ['alert', true],
        ['no-alert', true],
        ['stored-exactly-once', true],
      ]);
      // The anomaly is found by the gateway's model and read off the upstream broker, not from any counter.
      expect(result.expectations[1]!.detail).toMatch(/^raised at \d+(\.\d+)? s \(/);
      // 480 s of 25.6 kHz accel in 40 ms blocks (12,000) and two RTDs in 10 s blocks (2 × 48), each passed on once.
      expect(result.stats.qos1).toEqual({ published: 12_096, stored: 12_096 });
      expect(result.stats.edge).toBeUndefined();
      // The gateway's local action crossed the device broker and the pump obeyed it.
      expect(result.stats.commandsReceived).toBeGreaterThanOrEqual(1);
      expect(run.stdout).toMatch(/against .*external\.yaml/);
      expect(run.stdout).toContain('note: rules: and gateway: configure the embedded stack');
    } finally {
      await stopSut(sut);
    }
  });

  it('fails with exit 1 against a gateway without its anomaly model and rules, saying which expectation failed and why', { timeout: 240_000 }, async () => {
    const config = parse(await readFile(GATEWAY, 'utf8')) as Record<string, unknown>;
    delete config.anomaly;
    delete config.rules;
    delete config.actions;
    const broken = join(dir, 'broken-gateway.yaml');
    await writeFile(broken, stringify(config));
    let sut: Sut | undefined;
    try {
      sut = await startSut(broken);
      const report = join(dir, 'fail.json');
      const run = await runTwinbed(['run', SCENARIO, '--target', TARGET, '--json', report], { env: sut.env });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
      const result = JSON.parse(await readFile(report, 'utf8')) as RunResult;
      const failed = result.expectations.filter((e) => !e.passed);
      expect(failed.map((e) => e.type), JSON.stringify(failed, null, 1) + JSON.stringify(result.stats, null, 1)).toEqual(["alert"]);
      expect(failed[0]!.detail).toMatch(/^no anomaly on pump-1 from the onset at 300 s to the end of the run/);
      expect(run.stdout).toContain(`✗ ${failed[0]!.name}`);
      expect(run.stdout).toMatch(/FAILED: 1 of 4 expectations failed/);
    } finally {
      await stopSut(sut);
    }
  });
});
