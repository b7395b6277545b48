import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTwinbed, type TwinbedProcess } from '../../support/twinbed-process';

/** Polls `condition` every 10 ms until it holds; throws naming `what` if it does not within `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface PtyPair {
  /** twinbed's end. */
  host: string;
  /** The device's end. */
  device: string;
  /** Ends socat: both ends of the pair close, as a pulled cable would leave them. */
  close(): Promise<void>;
}

/** A socat pty pair in `dir`, owned by the test: started here, ended by close(). */
export async function ptyPair(dir: string): Promise<PtyPair> {
  const host = join(dir, 'ttyA');
  const device = join(dir, 'ttyB');
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  socat.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  // socat says it is in its transfer loop once both ptys exist and their links are made.
  await until(() => log.includes('starting data transfer loop') && existsSync(host) && existsSync(device), `socat's pty pair (${log.trim() || 'no output'})`, 10_000);
  return {
    host,
    device,
    close: async () => {
      if (socat.exitCode !== null || socat.signalCode !== null) return;
      socat.kill('SIGTERM');
      await exited;
    },
  };
}

/** `twinbed emulate` with these arguments, once it says it is ready. */
export async function emulator(args: readonly string[]): Promise<TwinbedProcess> {
  const proc = spawnTwinbed(['emulate', ...args]);
  await proc.waitFor(/ready on /, 30_000);
  return proc;
}
