import { existsSync } from 'node:fs';
import { Cloud, SqliteStorage } from '../cloud';
import { ConfigError } from '../protocol';
import { loadScenario } from '../scenarios';
import { startBroker, VirtualClock } from '../sim';
import { startWebServer } from '../web';
import { faultsOf, siteOf } from './demo-site';
import { onShutdown } from './shutdown';

/**
 * `twinbed demo --replay FILE`: a finished run's store (`twinbed run --store FILE`) on the live page, with a timeline
 * to scrub instead of a stream. With `--scenario`, the hall is the scenario's and its faults are marked.
 */
export async function runReplayPage(options: { replay: string; scenario?: string; port: number; host: string }): Promise<void> {
  if (!existsSync(options.replay)) {
    throw new ConfigError(options.replay, [{ path: '', message: `no such store; write one with \`twinbed run SCENARIO --store ${options.replay}\`` }]);
  }
  const scenario = options.scenario ? await loadScenario(options.scenario) : undefined;
  const storage = new SqliteStorage(options.replay);
  const broker = await startBroker();
  const startMs = scenario ? Date.parse(scenario.startTime) : 0;
  // Nothing arrives in a replay; the cloud serves the store's API.
  const cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new VirtualClock(startMs) });
  const web = await startWebServer({
    cloud,
    replay: true,
    host: options.host,
    port: options.port,
    title: `${scenario?.name ?? options.replay} (replay)`,
    ...(scenario
      ? { site: siteOf(scenario), rules: scenario.rules, faults: faultsOf(scenario, startMs) }
      : {}),
  });
  process.stdout.write(`twinbed demo: replay of ${options.replay} at ${web.url}\n`);
  onShutdown(async () => {
    await web.close();
    await cloud.stop();
    await storage.close();
    await broker.close();
  });
}
