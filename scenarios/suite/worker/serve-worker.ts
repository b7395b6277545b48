import type { Logger } from 'pino';
import { readScenario } from '../../load';
import { runScenario } from '../../runner';
import { loadTarget } from '../../target';
import type { HostMessage, RunJob, WorkerMessage } from '../ipc';

/** The worker's side of its IPC channel (the CLI passes the process's own). */
export interface WorkerPort {
  send(message: WorkerMessage): Promise<void>;
  onMessage(listener: (message: HostMessage) => void): void;
}

/**
 * Runs the tests the main process sends, one at a time, with runScenario: progress on the way, then the RunResult,
 * or the error that stopped it. Reporters run in the main process only.
 */
export function serveSuiteWorker(port: WorkerPort, options: { logger?: Logger } = {}): void {
  let queue = Promise.resolve();
  port.onMessage((message) => {
    if (message.type === 'run') queue = queue.then(() => runJob(port, message, options.logger));
  });
  void port.send({ type: 'ready' });
}

async function runJob(port: WorkerPort, job: RunJob, logger: Logger | undefined): Promise<void> {
  const testId = job.test.id;
  try {
    const { scenario, source } = await readScenario(job.test.file);
    const target = job.target ? await loadTarget(job.target) : undefined;
    const result = await runScenario(scenario, {
      file: job.test.file,
      source,
      seed: job.test.seed,
      ...(target ? { target } : {}),
      ...(logger ? { logger } : {}),
      onProgress: (progress) => void port.send({ type: 'progress', testId, progress }).catch(() => undefined),
      progressIntervalMs: job.progressIntervalMs,
    });
    await port.send({ type: 'result', testId, result });
  } catch (error) {
    const e = error as Error & { code?: unknown };
    await port.send({
      type: 'error',
      testId,
      error: { message: e?.message ?? String(error), ...(e?.stack ? { stack: e.stack } : {}), ...(typeof e?.code === 'string' ? { code: e.code } : {}) },
    });
  }
}
