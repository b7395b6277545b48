import pino from 'pino';
import { loadCloudConfig, startCloudService } from '../cloud';
import { ScaledRealClock } from '../sim';
import { onShutdown } from './shutdown';

/** The cloud as its own process: JSON logs on stdout (the `cloud ready` line carries its API URL). */
export async function runCloud(configFile: string, flags: { storage?: string } = {}): Promise<void> {
  const loaded = await loadCloudConfig(configFile);
  // --storage wins over the file: the same config runs on SQLite in a test and on PostgreSQL in production.
  const config = flags.storage ? { ...loaded, storage: flags.storage } : loaded;
  const logger = pino({ level: process.env.TWINBED_LOG ?? 'info' });
  const service = await startCloudService(config, { clock: new ScaledRealClock(), logger });
  logger.info({ apiUrl: service.apiUrl, brokerUrl: config.broker.url, clientId: config.broker.clientId, storage: redact(config.storage) }, 'cloud ready');
  onShutdown(() => service.stop());
}

/** A PostgreSQL URL's password stays out of the logs. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
