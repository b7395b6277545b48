import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Debian's server binaries; scripts/ensure-test-deps.sh installs them. TWINBED_POSTGRES_BIN overrides the folder. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication: any password is accepted. */
  url: string;
  port: number;
  /** How long initdb and the start took, milliseconds. */
  startMs: number;
  /** What the server wrote, for failure messages. */
  output(): string;
  /** Stops the server (`pg_ctl stop -m fast`) and removes its folder. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Milliseconds to wait for the server to accept connections. Default 30 000. */
  timeoutMs?: number;
}

/**
 * A throwaway PostgreSQL for one test file: its own temp folder, a free port on 127.0.0.1 and a unix socket in
 * that folder, so test files running at the same time each get their own. initdb, postgres and pg_ctl refuse to
 * run as root; as root they run as Debian's `postgres` system user, which owns the folder.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<Postgres> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const bin = postgresBin();
  const asUser = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-postgres-'));
  const data = join(dir, 'data');
  const run = (program: string, args: readonly string[]) =>
    command(asUser ? ['runuser', '-u', asUser.name, '--', join(bin, program), ...args] : [join(bin, program), ...args], dir);
  try {
    if (asUser) await chown(dir, asUser.uid, asUser.gid);
    // -N: no fsync for a cluster that lives as long as one test file.
    const init = await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '-N']).exited;
    if (init.code !== 0) {
      const hint = asUser ? ` (it runs as ${asUser.name}, who must be able to reach ${tmpdir()}; set TMPDIR to e.g. /tmp)` : '';
      throw new Error(`initdb failed (exit ${init.code}) in ${dir}${hint}:\n${init.output}`);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  // The test process exiting without close() (a crash, a timeout) must not leave a server behind.
  const killNow = () => {
    signalPostmaster(data, 'SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNow);
  const removeDir = async () => {
    process.off('exit', killNow);
    await rm(dir, { recursive: true, force: true });
  };

  // A port free a moment ago can be taken by another test file before postgres binds it: then take another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = run('postgres', [
      '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'shared_buffers=16MB', '-c', 'max_connections=20',
    ]);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const stop = async () => {
      if (!server.running()) return;
      const stopped = await run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']).exited;
      if (stopped.code !== 0) signalPostmaster(data, 'SIGQUIT');
      await server.exited;
    };
    try {
      await acceptsConnections(url, timeoutMs, server.running);
    } catch (error) {
      await stop();
      if (attempt < 3 && /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(server.output())) continue;
      await removeDir();
      throw new Error(`${(error as Error).message}; postgres said:\n${server.output()}`, { cause: error });
    }
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      startMs: performance.now() - started,
      output: server.output,
      close: () => (closing ??= stop().then(removeDir)),
    };
  }
}

/** The bin folder of the highest PostgreSQL version installed, holding initdb, pg_ctl and postgres. */
export function postgresBin(): string {
  const fromEnv = process.env.TWINBED_POSTGRES_BIN;
  if (fromEnv) return fromEnv;
  const versions = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((version) => ['initdb', 'pg_ctl', 'postgres'].every((program) => existsSync(join(DEBIAN_ROOT, version, 'bin', program))))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error(`no PostgreSQL server under ${DEBIAN_ROOT}/*/bin: run scripts/ensure-test-deps.sh (apt-get install postgresql)`);
  }
  return join(DEBIAN_ROOT, versions[0], 'bin');
}

/** As root, the `postgres` system user that Debian's package creates; otherwise undefined (run as ourselves). */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (entry === undefined) throw new Error('running as root, and there is no `postgres` user to run the server as: apt-get install postgresql creates it');
  return { name: 'postgres', uid: Number(entry[2]), gid: Number(entry[3]) };
}

interface Command {
  output(): string;
  running(): boolean;
  kill(): void;
  exited: Promise<{ code: number | null; output: string }>;
}

function command(argv: readonly string[], cwd: string): Command {
  const [program = '', ...args] = argv;
  // cwd: the folder the server user owns (it may not be allowed into ours).
  const child = spawn(program, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (out += text));
  let running = true;
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.once('error', (error) => {
      running = false;
      resolve({ code: null, output: `${out}${error.message}` });
    });
    child.once('close', (code) => {
      running = false;
      resolve({ code, output: out });
    });
  });
  return { output: () => out, running: () => running, kill: () => void child.kill('SIGKILL'), exited };
}

/** Polls with a real client until a login succeeds: the port opens before the server is ready for queries. */
async function acceptsConnections(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`postgres exited before accepting connections at ${url}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (performance.now() > deadline) throw new Error(`postgres at ${url} did not accept connections within ${timeoutMs} ms: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** A TCP port that was free a moment ago (postgres cannot be told to pick port 0 and report it). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Signals the server by the pid in its postmaster.pid: as root, we started runuser, not postgres itself. */
function signalPostmaster(data: string, signal: NodeJS.Signals): void {
  try {
    const pid = Number.parseInt(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    if (pid > 0) process.kill(pid, signal);
  } catch {
    // No pid file or no such process: the server is not running.
  }
}
