// What a twin makes of the Sparkplug messages it subscribes to: NCMD (rebirth), DCMD (commands), STATE. Platform-free.
import type { CommandV1 } from '../../../protocol';
import { DEVICE_CONTROL, NODE_REBIRTH } from './sparkplug-metrics';
import { decodePayload, toNumber, type DecodedMetric } from './sparkplug-payload';

/** A decoded payload's metrics, or why there are none to read. */
function metricsOf(payload: Uint8Array, what: string): DecodedMetric[] | string {
  try {
    return decodePayload(payload).metrics as DecodedMetric[];
  } catch (error) {
    return `an ${what} that is not a Sparkplug B payload (${(error as Error).message})`;
  }
}

const nameOf = (m: DecodedMetric) => (m.name ? `"${m.name}"` : `alias ${toNumber(m.alias) ?? '?'}`);

/**
 * NCMD: [tck-id-operational-behavior-data-commands-ncmd-rebirth-value] `Node Control/Rebirth` = true asks for births.
 * By name only: the NBIRTH gives it no alias. Every other node command is ignored, with its name.
 */
export function readNodeCommand(payload: Uint8Array): { rebirth: boolean; ignored?: string } {
  const metrics = metricsOf(payload, 'NCMD');
  if (typeof metrics === 'string') return { rebirth: false, ignored: metrics };
  let rebirth = false;
  const ignored: string[] = [];
  for (const m of metrics) {
    if (m.name === NODE_REBIRTH && m.value === 'booleanValue' && m.booleanValue === true) rebirth = true;
    else ignored.push(`NCMD metric ${nameOf(m)} (a twin takes only "${NODE_REBIRTH}" = true)`);
  }
  if (metrics.length === 0) ignored.push('an NCMD without metrics');
  return ignored.length ? { rebirth, ignored: ignored.join('; ') } : { rebirth };
}

/**
 * DCMD → twinbed commands, one per metric named `Device Control/{action}`, in order:
 * - a Boolean true is the command without args (false asks for nothing and is ignored);
 * - a String is its args as a JSON object (an empty string: `{}`); anything but an object is ignored;
 * - any other metric (a sensor's alias, another name, another type) is ignored, with its name.
 * Each command gets `id` `spb-<n>` (n counts from 1 per twin) and `tsMs` from the simulated clock.
 */
export function readDeviceCommand(payload: Uint8Array, device: string, nowMs: number, nextId: () => string): { commands: CommandV1[]; ignored?: string } {
  const metrics = metricsOf(payload, 'DCMD');
  if (typeof metrics === 'string') return { commands: [], ignored: metrics };
  const commands: CommandV1[] = [];
  const ignored: string[] = [];
  const command = (action: string, args?: Record<string, unknown>): CommandV1 => ({
    type: 'cmd',
    v: 1,
    device,
    tsMs: nowMs,
    id: nextId(),
    action,
    ...(args ? { args } : {}),
  });
  for (const m of metrics) {
    const action = m.name?.startsWith(DEVICE_CONTROL) ? m.name.slice(DEVICE_CONTROL.length) : '';
    if (!action) {
      ignored.push(`DCMD metric ${nameOf(m)} is not "${DEVICE_CONTROL}<action>"`);
    } else if (m.value === 'booleanValue') {
      if (m.booleanValue) commands.push(command(action));
      else ignored.push(`DCMD ${nameOf(m)} = false asks for nothing`);
    } else if (m.value === 'stringValue') {
      const args = argsFrom(m.stringValue ?? '');
      if (args) commands.push(command(action, args));
      else ignored.push(`DCMD ${nameOf(m)}: its String value is not a JSON object of args`);
    } else {
      ignored.push(`DCMD ${nameOf(m)}: expected a Boolean true or a String of JSON args`);
    }
  }
  if (metrics.length === 0) ignored.push('a DCMD without metrics');
  return ignored.length ? { commands, ignored: ignored.join('; ') } : { commands };
}

function argsFrom(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The primary host's state as its STATE message says. */
export interface HostState {
  online: boolean;
  timestampMs: number;
}

/** Sparkplug 3.0 STATE ([tck-id-host-topic-phid-birth-payload]): JSON `{"online": true|false, "timestamp": ms}`. */
export function readHostState(payload: Uint8Array): HostState | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return 'a STATE message that is not JSON (Sparkplug 3.0 STATE is {"online": …, "timestamp": …})';
  }
  const { online, timestamp } = (parsed ?? {}) as { online?: unknown; timestamp?: unknown };
  if (typeof online !== 'boolean' || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    return 'a STATE message without a boolean "online" and a numeric "timestamp"';
  }
  return { online, timestampMs: timestamp };
}
