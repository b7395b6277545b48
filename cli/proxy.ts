import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { z } from 'zod';
import { ConfigError, parseYamlConfig } from '../protocol';
import {
  LinkModel,
  ProxyImpairmentsFileSchema,
  RandomStreams,
  ScaledRealClock,
  Scheduler,
  scheduleLinkChanges,
  startControlApi,
  startingImpairments,
  startMqttProxy,
  type ControlApi,
  type MqttProxy,
  type ProxyImpairmentsFile,
} from '../sim';
import { onShutdown } from './shutdown';

/** `HOST:PORT`, `[v6]:PORT`; port 0 picks a free one. */
const HostPortSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected HOST:PORT, such as 127.0.0.1:1884')
  .transform((value) => {
    const colon = value.lastIndexOf(':');
    return { host: value.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(value.slice(colon + 1)) };
  })
  .refine((address) => address.port <= 65_535, 'the port must be 0–65535');

const UpstreamSchema = z
  .string()
  .regex(/^(mqtt|tcp):\/\/(\[[0-9a-fA-F:.]+\]|[^\s:/@[\]]+)(:\d{1,5})?\/?$/, 'expected mqtt://HOST:PORT; the proxy reads plain MQTT over TCP, so point it at the broker\'s plain listener (not mqtts:// or ws://)')
  .transform((value) => {
    const url = new URL(value);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 1883) };
  });

/** The flags of `twinbed proxy`, validated where they enter. */
export const ProxyCommandSchema = z
  .object({
    listen: HostPortSchema.describe('Where MQTT clients connect, HOST:PORT; port 0 picks a free one. Required.'),
    upstream: UpstreamSchema.describe('The broker behind the proxy, mqtt://HOST:PORT (port default 1883). Required.'),
    api: HostPortSchema.prefault('127.0.0.1:8474').describe('Control API address, HOST:PORT. Default 127.0.0.1:8474 (Toxiproxy\'s port).'),
    config: z.string().min(1).optional().describe('Impairments YAML: up, down, both and a schedule. Default: no impairment.'),
    seed: z.union([z.string().min(1), z.number()]).optional().describe('Seed of the link models\' random streams. Default: a random one, printed in the ready line.'),
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only').default('mqtt').describe('Proxy name in the control API. Default mqtt.'),
  })
  .strict();

export type ProxyCommandOptions = z.input<typeof ProxyCommandSchema>;

export interface RunningProxy {
  proxy: MqttProxy;
  api: ControlApi;
  seed: string | number;
  close(): Promise<void>;
}

/**
 * `twinbed proxy`: an MQTT-aware impairment proxy in real time, with its control API. JSON logs go to stdout
 * (level from TWINBED_LOG, default info); the `proxy ready` line carries listenUrl and apiUrl. SIGINT/SIGTERM close it.
 */
export async function runProxy(input: ProxyCommandOptions, options: { handleSignals?: boolean } = {}): Promise<RunningProxy> {
  const flags = ProxyCommandSchema.safeParse(input);
  if (!flags.success) throw new ConfigError('twinbed proxy', flags.error.issues.map((issue) => ({ path: issue.path.length > 0 ? `--${issue.path.join('.')}` : '', message: issue.message })));
  const { listen, upstream, api: apiAddress, config, name } = flags.data;
  const file: ProxyImpairmentsFile = config ? await loadImpairments(config) : ProxyImpairmentsFileSchema.parse({});
  // The edge of the program: the only place a seed may come from Math.random(), and it is printed.
  const seed = flags.data.seed ?? Math.floor(Math.random() * 2 ** 31);
  const logger = pino({ level: process.env.TWINBED_LOG ?? 'info' });
  const clock = new ScaledRealClock();
  const streams = new RandomStreams(seed);
  const start = startingImpairments(file);
  const links = { up: new LinkModel(`${name}/up`, start.up, streams.stream(`${name}/up`)), down: new LinkModel(`${name}/down`, start.down, streams.stream(`${name}/down`)) };
  const schedule = scheduleLinkChanges(file.schedule, new Map(Object.entries(links)), new Scheduler(clock), clock.now());
  const proxy = await startMqttProxy({ name, listen, upstream, links, clock, logger });
  let api: ControlApi;
  try {
    api = await startControlApi({ proxies: [proxy], host: apiAddress.host, port: apiAddress.port, logger });
  } catch (error) {
    schedule.cancel();
    await proxy.close();
    throw error;
  }
  logger.info(
    { listenUrl: proxy.url, apiUrl: api.url, upstream: `${upstream.host}:${upstream.port}`, seed, impairment: proxy.impairments(), scheduledChanges: schedule.changes.length },
    'proxy ready',
  );
  const close = async () => {
    schedule.cancel();
    await api.close();
    await proxy.close();
    logger.info({ counters: proxy.counters() }, 'proxy closed');
  };
  if (options.handleSignals ?? true) onShutdown(close);
  return { proxy, api, seed, close };
}

async function loadImpairments(file: string): Promise<ProxyImpairmentsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  return parseYamlConfig(text, file, ProxyImpairmentsFileSchema);
}
