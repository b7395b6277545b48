import { TwinbedError } from '../protocol';
import { serveSuiteWorker, type WorkerMessage } from '../scenarios';
import { stderrLogger } from './logger';

/**
 * `twinbed __worker` (hidden): a worker process of `twinbed test`, forked with an IPC channel. It runs the
 * scenarios the main process sends and exits when the channel closes (the suite ended, or the main process died).
 */
export function runTestWorker(): void {
  const send = process.send?.bind(process);
  if (!send) throw new TwinbedError('E_WORKER', '__worker is the worker process of `twinbed test` and runs only under it');
  process.on('disconnect', () => process.exit(0));
  serveSuiteWorker(
    {
      send: (message: WorkerMessage) => new Promise<void>((resolve, reject) => send(message, undefined, {}, (error) => (error ? reject(error) : resolve()))),
      onMessage: (listener) => process.on('message', listener as (message: unknown) => void),
    },
    { logger: stderrLogger() },
  );
}
