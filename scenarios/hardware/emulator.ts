import type { Logger } from 'pino';
import { createMqttClient, monotonicWallMs, type MqttClient } from '../../sim';
import type { Machine } from '../../twins';
import { expandTemplate } from '../../twins';
import { Firmware } from './firmware';
import type { LineHandlers } from './hardware-device';
import { LineWriter, parseCommandLine } from './line-protocol';
import { SerialTransport } from './serial-transport';

export type EmulatorTransport =
  | { kind: 'serial'; path: string; baudRate: number }
  | {
      kind: 'mqtt';
      url: string;
      /** Templates with `{device}`. */
      topic: string;
      commandTopic: string;
      statusTopic: string;
      qos: 0 | 1;
    };

export interface EmulatorOptions {
  machine: Machine;
  transport: EmulatorTransport;
  /** Its clock's rate error, ppm (the machine's sensors must sample on it: see emulatedMachine). */
  driftPpm: number;
  format: 'jsonl' | 'csv';
  /** When its port closes or its broker goes: `exit` (stop, as a device unplugged) or `reconnect` (keep running and try again). */
  onClose: 'exit' | 'reconnect';
  /** Stop after this many seconds. Default: run until stopped. */
  durationS?: number;
  /** Wall ms between polls of the firmware: how bursty its lines are. Default 10. */
  tickMs?: number;
  /** Told about what happens (open, closed, reconnected), one line each. */
  log?: (message: string) => void;
  logger?: Logger;
}

export interface EmulatorCounters {
  lines: number;
  /** Lines sampled while the link was down, never sent. */
  unsent: number;
  commands: number;
  refused: number;
}

export interface RunningEmulator {
  readonly description: string;
  /** Resolves, with why, when it has stopped. */
  readonly stopped: Promise<string>;
  counters(): EmulatorCounters;
  /** Says bye (and offline on MQTT), closes its link and stops. */
  stop(reason: string): Promise<void>;
}

/** The link an emulated device talks over. */
interface DeviceLink {
  readonly description: string;
  open(handlers: { command(line: string): void; up(): void; down(reason: string): void }): Promise<void>;
  readonly connected: boolean;
  send(lines: readonly string[]): void;
  /** Sends the last lines (bye) and closes. */
  close(lastLines: readonly string[], reason: string): Promise<void>;
}

/**
 * Runs an emulated device: the firmware samples the twin on its drifting clock and writes lines, reads commands and
 * acts on them, and answers each. It says hello whenever its link comes up.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { machine, format, log = () => {} } = options;
  const firmware = new Firmware({ machine, driftPpm: options.driftPpm, bootWallMs: monotonicWallMs() });
  const writer = new LineWriter(format, machine.channels.map((c) => c.sensor));
  const counters: EmulatorCounters = { lines: 0, unsent: 0, commands: 0, refused: 0 };
  const link = options.transport.kind === 'serial' ? serialLink(machine.id, options.transport, options.onClose, log, options.logger) : mqttLink(machine.id, options.transport, firmware, options.onClose);
  let finish: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (finish = resolve));
  let stopping = false;
  const timers: { tick?: ReturnType<typeof setInterval>; deadline?: ReturnType<typeof setTimeout> } = {};

  const hello = () => link.send([writer.meta('hello', { ...firmware.hello(), uptimeMs: Math.round(firmware.deviceMs(monotonicWallMs())) })]);
  const stop = async (reason: string, linkGone = false) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timers.tick);
    clearTimeout(timers.deadline);
    if (!linkGone) send(firmware.poll(monotonicWallMs()).map((l) => writer.reading(l)));
    await link.close(linkGone ? [] : [writer.meta('bye', { device: machine.id, reason })], reason).catch(() => undefined);
    machine.dispose?.();
    finish(reason);
  };
  const send = (lines: string[]) => {
    if (lines.length === 0) return;
    if (!link.connected) {
      counters.unsent += lines.length;
      return;
    }
    counters.lines += lines.length;
    link.send(lines);
  };

  await link.open({
    command: (text) => {
      const command = parseCommandLine(text);
      if (command === undefined) return;
      counters.commands++;
      if (typeof command === 'string') {
        counters.refused++;
        link.send([writer.meta('nak', { action: '', error: command })]);
        return;
      }
      const reply = firmware.command(command, monotonicWallMs());
      if (reply.type === 'nak') counters.refused++;
      const { type, ...body } = reply;
      link.send([writer.meta(type, body)]);
      if (command.action === 'hello') hello();
      log(`${command.action}: ${reply.type === 'ack' ? reply.outcome : reply.error}`);
    },
    up: () => {
      log(`link up (${link.description})`);
      hello();
    },
    down: (reason) => {
      log(`link down: ${reason}${options.onClose === 'exit' ? '; stopping' : '; waiting for it to come back'}`);
      if (options.onClose === 'exit') void stop(reason, true);
    },
  });
  if (!stopping) {
    hello();
    timers.tick = setInterval(() => send(firmware.poll(monotonicWallMs()).map((l) => writer.reading(l))), options.tickMs ?? 10);
    if (options.durationS !== undefined) timers.deadline = setTimeout(() => void stop('duration reached'), options.durationS * 1000);
  }

  return {
    description: link.description,
    stopped,
    counters: () => ({ ...counters }),
    stop: (reason) => stop(reason),
  };
}

function serialLink(device: string, transport: Extract<EmulatorTransport, { kind: 'serial' }>, onClose: 'exit' | 'reconnect', log: (message: string) => void, logger?: Logger): DeviceLink {
  const serial = new SerialTransport({ device, path: transport.path, baudRate: transport.baudRate, reopenMs: onClose === 'reconnect' ? 500 : 0, ...(logger ? { logger } : {}) });
  let connected = false;
  let opened = false;
  return {
    description: serial.description,
    get connected() {
      return connected;
    },
    open: (handlers) =>
      openSerial(serial, onClose, {
        line: (text) => handlers.command(text),
        status: () => {},
        framingError: () => {},
        up: () => {
          const again = connected === false && opened;
          connected = true;
          if (again) handlers.up();
        },
        down: (reason) => {
          connected = false;
          handlers.down(reason);
        },
      }, log).then(() => {
        opened = true;
      }),
    send: (lines) => void serial.write(lines.join('\n')).catch(() => undefined),
    close: async (lastLines) => {
      if (connected && lastLines.length) await serial.write(lastLines.join('\n')).catch(() => undefined);
      connected = false;
      await serial.close();
    },
  };
}

/** Opens the port; with `reconnect` an absent port is waited for (a device powered before its cable is plugged in). */
async function openSerial(serial: SerialTransport, onClose: 'exit' | 'reconnect', handlers: LineHandlers, log: (message: string) => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await serial.open(handlers);
    } catch (error) {
      if (onClose === 'exit') throw error;
      if (attempt === 0) log(`${(error as Error).message}; waiting for it`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function mqttLink(device: string, transport: Extract<EmulatorTransport, { kind: 'mqtt' }>, firmware: Firmware, onClose: 'exit' | 'reconnect'): DeviceLink {
  const topic = expandTemplate(transport.topic, { device });
  const commandTopic = expandTemplate(transport.commandTopic, { device });
  const statusTopic = expandTemplate(transport.statusTopic, { device });
  let client: MqttClient | undefined;
  const status = (state: 'online' | 'offline', reason?: string) => JSON.stringify({ status: state, ...(reason ? { reason } : {}), ...firmware.hello() });
  return {
    description: `mqtt ${new URL(transport.url).host} ${topic}`,
    get connected() {
      return client?.connected ?? false;
    },
    open: (handlers) =>
      new Promise<void>((resolve, reject) => {
        const c = createMqttClient(transport.url, {
          clientId: `twinbed-emulate-${device}`,
          reconnectPeriod: onClose === 'reconnect' ? 1000 : 0,
          // [MQTT-3.1.2-8] the broker publishes the will when the connection ends without DISCONNECT: a crash, a cut.
          will: { topic: statusTopic, payload: Buffer.from(status('offline', 'connection lost')), qos: 1, retain: true },
        });
        client = c;
        let first = true;
        const timer = setTimeout(() => fail(new Error(`no CONNACK from ${new URL(transport.url).host} within 10 s`)), 10_000);
        const fail = (error: Error) => {
          if (!first) return;
          first = false;
          clearTimeout(timer);
          c.options.reconnectPeriod = 0;
          c.end(true);
          reject(error);
        };
        let wasUp = false;
        c.on('connect', () => {
          wasUp = true;
          void c.subscribeAsync(commandTopic, { qos: 1 }).then(() => {
            c.publish(statusTopic, status('online'), { qos: 1, retain: true });
            if (first) {
              first = false;
              clearTimeout(timer);
              resolve();
            } else handlers.up();
          });
        });
        c.on('message', (_topic, payload) => {
          for (const line of payload.toString('utf8').split('\n')) handlers.command(line);
        });
        c.on('close', () => {
          if (!wasUp) return;
          wasUp = false;
          handlers.down('broker connection lost');
        });
        c.on('error', fail);
      }),
    send: (lines) => {
      client?.publish(topic, lines.join('\n'), { qos: transport.qos });
    },
    close: async (lastLines, reason) => {
      const c = client;
      if (!c) return;
      c.removeAllListeners('close');
      if (c.connected) {
        if (lastLines.length) await c.publishAsync(topic, lastLines.join('\n'), { qos: 1 });
        await c.publishAsync(statusTopic, status('offline', reason), { qos: 1, retain: true });
      }
      c.options.reconnectPeriod = 0;
      await c.endAsync();
    },
  };
}
