import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/twinbed.js', import.meta.url));

export interface TwinbedProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` on stdout; rejects on timeout or exit, quoting the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<number | string>;
}

/** Spawns the real `twinbed` command (the built bin), as a user would run it. */
export function spawnTwinbed(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): TwinbedProcess {
  return spawnCommand(process.execPath, [BIN, ...args], options);
}

export function spawnCommand(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): TwinbedProcess {
  // detached: a process group of its own, so stop() also ends what npm or a shell started under it.
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, detached: true });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const describe = () => `\n--- stdout ---\n${out.slice(-4000)}\n--- stderr ---\n${err.slice(-4000)}`;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} on stdout within ${timeoutMs} ms${describe()}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`process exited (${code}) before printing ${pattern}${describe()}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout.on('data', check);
        child.once('exit', onExit);
        check();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      const group = -child.pid!;
      try {
        process.kill(group, 'SIGTERM');
      } catch {
        // It exited (its port closed, say) after the check above, before its exit event: nothing left to stop.
        return exited;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(group, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs the twinbed command to completion. */
export async function runTwinbed(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const proc = spawnTwinbed(args, options);
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Polls `condition` every 10 ms until it is true or `timeoutMs` passes; returns whether it became true. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}
