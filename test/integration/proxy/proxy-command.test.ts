import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProxy } from '../../../cli/proxy';
import { ConfigError } from '../../../protocol';
import { startBroker } from '../../../sim/index';
import { spawnTwinbed, waitUntil } from '../../support/twinbed-process';
import { cleanupList, collect, mqttClient, until } from './support';

// The real `twinbed proxy` command in a process of its own: logs on stdout, SIGTERM to stop.

const cleanups = cleanupList();
afterEach(() => cleanups.run());

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-proxy-cli-'));
  cleanups.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('twinbed proxy', () => {
  it('prints a ready line with its URLs, applies the config file, obeys its API, and exits 0 on SIGTERM', async () => {
    const broker = await startBroker();
    cleanups.add(() => broker.close());
    const dir = await tempDir();
    const config = join(dir, 'impairments.yaml');
    await writeFile(config, 'up:\n  latencyMs: 20\nschedule:\n  - link: down\n    atS: 3600\n    forS: 60\n    partition: true\n');
    const proc = spawnTwinbed(['proxy', '--listen', '127.0.0.1:0', '--upstream', broker.url, '--api', '127.0.0.1:0', '--config', config, '--seed', '42']);
    cleanups.add(() => proc.stop());

    const [line] = await proc.waitFor(/^.*"msg":"proxy ready".*$/m, 20_000);
    const ready = JSON.parse(line) as { listenUrl: string; apiUrl: string; seed: number; impairment: { up: { latencyMs: number } }; scheduledChanges: number };
    expect(ready.listenUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.seed).toBe(42);
    expect(ready.impairment.up.latencyMs).toBe(20);
    expect(ready.scheduledChanges).toBe(2);

    const subscriber = await mqttClient(broker.url);
    cleanups.add(() => subscriber.endAsync(true));
    const seen = await collect(subscriber, 'cli/t');
    const publisher = await mqttClient(ready.listenUrl);
    cleanups.add(() => publisher.endAsync(true));
    publisher.publish('cli/t', 'through', { qos: 0 });
    await until(() => seen.length === 1, 'a message through the proxy process');

    const set = await fetch(`${ready.apiUrl}/proxies/mqtt/impairment`, { method: 'POST', body: JSON.stringify({ direction: 'up', loss: 1 }) });
    expect(set.status).toBe(200);
    publisher.publish('cli/t', 'lost', { qos: 0 });
    const dropped = async () => ((await (await fetch(`${ready.apiUrl}/proxies/mqtt`)).json()) as { counters: { up: { dropped: { loss: number } } } }).counters.up.dropped.loss;
    expect(await waitUntil(async () => (await dropped()) === 1, 5_000)).toBe(true);
    // Dropped when judged, so never sent later: with the loss lifted, the next message on the topic is the next one in.
    expect((await fetch(`${ready.apiUrl}/proxies/mqtt/impairment`, { method: 'DELETE' })).status).toBe(200);
    publisher.publish('cli/t', 'after', { qos: 0 });
    await until(() => seen.some((m) => m.text === 'after'), 'a message through the proxy process after the loss was lifted');
    expect(seen.map((m) => m.text)).toEqual(['through', 'after']);
    expect(proc.stdout()).toMatch(/"msg":"impairment set over the control API"/);

    expect(await proc.stop()).toBe(0);
    expect(proc.stdout()).toMatch(/"msg":"proxy closed"/);
  });

  it('rejects bad flags with a ConfigError that names each flag', async () => {
    const attempt = runProxy({ listen: 'localhost', upstream: 'mqtts://broker:8883' }, { handleSignals: false });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/--listen: expected HOST:PORT[\s\S]*--upstream: expected mqtt:\/\/HOST:PORT/);
  });

  it('rejects an impairments file with the file, line and field of the mistake', async () => {
    const dir = await tempDir();
    const config = join(dir, 'bad.yaml');
    await writeFile(config, 'down:\n  loss: 0.5\n  lattencyMs: 3\n');
    await expect(runProxy({ listen: '127.0.0.1:0', upstream: 'mqtt://127.0.0.1:1', config }, { handleSignals: false })).rejects.toThrow(
      `${config}:3 down.lattencyMs: unknown field (did you mean "latencyMs"?)`,
    );
  });
});
