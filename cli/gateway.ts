import pino from 'pino';
import { Gateway, loadGatewayConfig } from '../gateway';
import { ScaledRealClock } from '../sim';
import { onShutdown } from './shutdown';

/** The gateway as its own process: JSON logs on stdout (the `gateway ready` line carries its device URL). */
export async function runGateway(configFile: string): Promise<void> {
  const config = await loadGatewayConfig(configFile);
  const logger = pino({ level: process.env.TWINBED_LOG ?? 'info' });
  const gateway = await Gateway.start({ config, clock: new ScaledRealClock(), logger });
  onShutdown(() => gateway.stop());
}
