import { join } from 'node:path';
import { loadScenario, startStack } from '../scenarios';
import { ScaledRealClock } from '../sim';
import { packageRoot, startWebServer } from '../web';
import { demoControls } from './demo-controls';
import { faultsOf, siteOf } from './demo-site';
import { stderrLogger } from './logger';
import { onShutdown } from './shutdown';

export async function runDemo(options: { scenario?: string; port: number; host: string }): Promise<void> {
  const file = options.scenario ?? join(packageRoot(), 'scenarios', 'demo.yaml');
  const scenario = await loadScenario(file);
  const factor = scenario.timeScale === 'max' ? 1 : scenario.timeScale;
  // The demo is live: simulated time starts at the wall clock's now and runs at the scenario's pace.
  const startMs = Date.now();
  const clock = new ScaledRealClock({ factor, startMs });
  const logger = stderrLogger();
  // Both links simulated (ideal until changed), so the page's link controls can impair them.
  const stack = await startStack({ scenario, seed: scenario.seed, clock, startMs, endMs: startMs + scenario.durationS * 1000, controlLinks: true, logger });
  const web = await startWebServer({ cloud: stack.cloud, rules: scenario.rules, site: siteOf(scenario), controls: demoControls(stack.control, startMs), faults: faultsOf(scenario, startMs), host: options.host, port: options.port, title: scenario.name });
  process.stdout.write(`twinbed demo: "${scenario.name}" (${scenario.twins.length} twins, ×${factor}) at ${web.url}\n`);
  onShutdown(async () => {
    await web.close();
    await stack.stop();
  });
}
