// `npm run bench -- <name> [--json FILE]`: benchmarks that print ratios against a baseline measured in the same run.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { brokerBench, formatBroker } from './broker';
import { dspBench, formatDsp } from './dsp';
import { fleetBench, formatFleet } from './fleet';
import { formatForwarder, forwarderBench } from './forwarder';
import { formatIngest, ingestBench } from './ingest';
import { formatGateway, gatewayBench } from './gateway';
import { formatPipeline, pipelineBench } from './pipeline';
import { formatProxy, proxyBench } from './proxy';
import { formatStorage, storageBench } from './storage';
import { formatTwins, twinsBench } from './twins';
import { formatWeb, webBench } from './web';

const benches: Record<string, { run: (options: { seconds?: number }) => Promise<object>; format: (r: never) => string }> = {
  broker: { run: () => brokerBench(), format: formatBroker as (r: never) => string },
  dsp: { run: () => dspBench(), format: formatDsp as (r: never) => string },
  fleet: { run: ({ seconds }) => fleetBench(seconds), format: formatFleet as (r: never) => string },
  forwarder: { run: () => forwarderBench(), format: formatForwarder as (r: never) => string },
  gateway: { run: () => gatewayBench(), format: formatGateway as (r: never) => string },
  ingest: { run: () => ingestBench(), format: formatIngest as (r: never) => string },
  pipeline: { run: ({ seconds }) => pipelineBench(seconds), format: formatPipeline as (r: never) => string },
  proxy: { run: () => proxyBench(), format: formatProxy as (r: never) => string },
  storage: { run: () => storageBench(), format: formatStorage as (r: never) => string },
  twins: { run: () => twinsBench(), format: formatTwins as (r: never) => string },
  web: { run: ({ seconds }) => webBench(seconds), format: formatWeb as (r: never) => string },
};

const usage = `usage: npm run bench -- <${Object.keys(benches).join('|')}> [--json FILE] [--seconds N (fleet: length of each run, default 60; web: measured seconds, default 10; pipeline: simulated seconds, default 3600)]`;
let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { json: { type: 'string' }, seconds: { type: 'string' } } });
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const seconds = parsed.values.seconds === undefined ? undefined : Number(parsed.values.seconds);
if (seconds !== undefined && !(seconds > 0)) {
  console.error(`--seconds must be a number of seconds > 0\n${usage}`);
  process.exit(2);
}
const names = parsed.positionals.length ? parsed.positionals : Object.keys(benches);
const unknown = names.filter((n) => !benches[n]);
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}\n${usage}`);
  process.exit(2);
}
const results: Record<string, object> = {};
for (const name of names) {
  const bench = benches[name]!;
  const result = await bench.run(seconds === undefined ? {} : { seconds });
  results[name] = result;
  console.log(bench.format(result as never));
}
if (parsed.values.json) await writeFile(parsed.values.json, `${JSON.stringify(names.length === 1 ? results[names[0]!] : results, null, 2)}\n`);
