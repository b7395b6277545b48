import { Cloud, SqliteStorage } from '../cloud';
import { startBroker, VirtualClock } from '../sim';
import { startWebServer } from '../web';
import { faultsOf, siteOf } from './demo-site';
import { openReplaySource } from './replay-source';
import { onShutdown } from './shutdown';

/**
 * `twinbed demo --replay FILE`: a finished run's store (`twinbed run --store FILE`), or an MCAP recording made into
 * one, on the live page, with a timeline to scrub instead of a stream. The hall is `--scenario`'s, else the
 * recording's own scenario; with one, its faults are marked.
 */
export async function runReplayPage(options: { replay: string; scenario?: string; port: number; host: string }): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const source = await openReplaySource(options.replay, options.scenario, say);
  const { scenario } = source;
  const storage = new SqliteStorage(source.store);
  const stops: (() => Promise<void>)[] = [() => storage.close(), () => source.remove()];
  const stop = async () => {
    for (const step of stops.splice(0)) await step();
  };
  try {
    const broker = await startBroker();
    stops.unshift(() => broker.close());
    const startMs = scenario ? Date.parse(scenario.startTime) : 0;
    // Nothing arrives in a replay; the cloud serves the store's API.
    const cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new VirtualClock(startMs) });
    stops.unshift(() => cloud.stop());
    const web = await startWebServer({
      cloud,
      replay: true,
      host: options.host,
      port: options.port,
      title: `${scenario?.name ?? options.replay} (replay)`,
      ...(scenario ? { site: siteOf(scenario), rules: scenario.rules, faults: faultsOf(scenario, startMs) } : {}),
    });
    stops.unshift(() => web.close());
    say(`twinbed demo: replay of ${options.replay} at ${web.url}`);
  } catch (error) {
    await stop();
    throw error;
  }
  onShutdown(stop);
}
