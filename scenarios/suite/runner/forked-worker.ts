import { fork, type ChildProcess } from 'node:child_process';
import type { RunJob, WorkerMessage } from '../ipc';
import type { AttemptEnd, AttemptEvents, SuiteWorker } from './suite-worker';

/** The command a worker runs: the twinbed CLI itself with its hidden worker subcommand. */
export interface WorkerEntry {
  modulePath: string;
  args: readonly string[];
}

/** Keeps this much of a worker's stderr per attempt, for a crash's trace and the reports. */
const STDERR_TAIL_CHARS = 8000;

/** A child process (child_process.fork) that runs tests sent to it over IPC, one at a time. */
export class ForkedWorker implements SuiteWorker {
  readonly #child: ChildProcess;
  readonly #ready: Promise<boolean>;
  #exit: string | undefined;
  #stderr = '';
  #pending: { testId: string; events: AttemptEvents; resolve: (end: AttemptEnd) => void } | undefined;

  constructor(entry: WorkerEntry) {
    this.#child = fork(entry.modulePath, [...entry.args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
    const keep = (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.#ready = new Promise((resolve) => {
      this.#child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve(true);
        else this.#onMessage(message);
      });
      const ended = (why: string) => {
        this.#exit ??= why;
        resolve(false);
        this.#settle({ kind: 'crashed', error: { message: `the worker process ${why} while running the test` } });
      };
      this.#child.on('exit', (code, signal) => ended(signal ? `was ended by ${signal}` : `exited with code ${code}`));
      this.#child.on('error', (error) => ended(`failed (${error.message})`));
    });
  }

  async run(job: RunJob, events: AttemptEvents): Promise<AttemptEnd> {
    if (!(await this.#ready) || this.#exit) {
      return { kind: 'crashed', error: { message: `the worker process ${this.#exit ?? 'ended'} before it could run the test` }, ...this.#takeStderr() };
    }
    return new Promise((resolve) => {
      this.#stderr = '';
      this.#pending = { testId: job.test.id, events, resolve };
      events.onStart();
      this.#child.send(job, (error) => {
        if (error) this.#settle({ kind: 'crashed', error: { message: `the worker process could not be sent the test (${error.message})` } });
      });
    });
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    // The worker exits when its IPC channel closes.
    if (this.#child.connected) this.#child.disconnect();
    else this.kill();
    await exited;
  }

  #onMessage(message: Exclude<WorkerMessage, { type: 'ready' }>): void {
    const pending = this.#pending;
    if (!pending || message.testId !== pending.testId) return;
    if (message.type === 'progress') pending.events.onProgress(message.progress);
    else if (message.type === 'result') this.#settle({ kind: 'result', result: message.result });
    else this.#settle({ kind: 'error', error: { message: message.error.message, ...(message.error.stack ? { stack: message.error.stack } : {}) } });
  }

  #settle(end: AttemptEnd): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    pending.resolve({ ...end, ...this.#takeStderr() });
  }

  #takeStderr(): { stderr?: string } {
    const stderr = this.#stderr.trim();
    this.#stderr = '';
    return stderr ? { stderr } : {};
  }
}
