import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForListener } from './support';

/** Debian's broker; scripts/ensure-test-deps.sh installs it before the tests. */
export const MOSQUITTO = process.env.TWINBED_MOSQUITTO ?? '/usr/sbin/mosquitto';

export interface Mosquitto {
  port: number;
  /** What mosquitto wrote, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; removes the temp config. */
  close(): Promise<void>;
}

/**
 * Starts a real Mosquitto on a free loopback port with a throwaway config, and waits until it accepts connections.
 * `extraConfig` lines go after the defaults (e.g. `max_queued_messages 0`).
 */
export async function startMosquitto(extraConfig: readonly string[] = []): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: run scripts/ensure-test-deps.sh (apt-get install mosquitto)`);
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  await writeFile(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ...extraConfig, ''].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (out += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForListener(port),
      exited.then(() => {
        throw new Error(`mosquitto exited before listening on ${port}:\n${out}`);
      }),
    ]);
  } catch (error) {
    await close();
    throw error;
  }
  return { port, output: () => out, close };
}

export interface PersistentMosquitto {
  port: number;
  url: string;
  output(): string;
  /** SIGTERM (Mosquitto saves its sessions and queues to disk), then start again on the same port and file. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Mosquitto that keeps persistent sessions and their QoS 1 queues across a restart (`persistence true`): the
 * broker a plant runs, as opposed to the throwaway one above.
 */
export async function startPersistentMosquitto(): Promise<PersistentMosquitto> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: run scripts/ensure-test-deps.sh (apt-get install mosquitto)`);
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-mosquitto-'));
  // Started as root, mosquitto drops to its own user, which must be able to write its database here.
  await chmod(dir, 0o777);
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  await writeFile(
    config,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'max_queued_messages 0', 'log_dest stderr', ''].join('\n'),
  );
  let out = '';
  let stop: () => Promise<void> = async () => {};
  const launch = async () => {
    const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (out += text));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    };
    await Promise.race([
      waitForListener(port),
      exited.then(() => {
        throw new Error(`mosquitto exited before listening on ${port}:\n${out}`);
      }),
    ]);
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    output: () => out,
    restart: async () => {
      await stop();
      await launch();
    },
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

