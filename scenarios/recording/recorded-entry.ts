import type { MessageType } from '../../protocol';
import { toNs, type ChannelInfo, type Role } from './layout';
import { recordPayload } from './payload';

/** How a recording stamps its messages: see RecorderOptions.logTime. */
export type LogTimeMode = 'event' | 'receipt';

/** The device and sensor a topic names (by the target's topic templates), for a payload that does not say. */
export interface TopicNames {
  device?: string;
  sensor?: string;
}

/** One message as MCAP stores it: its channel, JSON data and times. */
export interface RecordedEntry {
  topic: string;
  info: ChannelInfo;
  data: Uint8Array;
  logTime: bigint;
  publishTime: bigint;
}

/** Roles a twinbed envelope has by its type, whatever topic it came on. */
const ROLE_OF_TYPE: Partial<Record<MessageType, Role>> = { telemetry: 'telemetry', truth: 'truth', cmd: 'command', features: 'features', event: 'alert' };
const DEVICE_SIDE: ReadonlySet<Role> = new Set(['telemetry', 'truth', 'device']);

/**
 * A message off the wire as a recording entry. `role` is what its subscription says it is; a twinbed envelope's own
 * type says better. `receivedMs` is the recording clock when it arrived (simulated in a run, wall for a live system).
 */
export function recordedEntry(topic: string, payload: Uint8Array, role: Role, flags: { qos: 0 | 1 | 2; retain: boolean }, receivedMs: number, mode: LogTimeMode, names?: TopicNames): RecordedEntry {
  const recorded = recordPayload(payload);
  const described = recorded.info.device === undefined ? names : undefined;
  const typed = recorded.info.type ? ROLE_OF_TYPE[recorded.info.type] : undefined;
  const channelRole = typed ?? (recorded.info.wire === 'twinbed' && DEVICE_SIDE.has(role) ? 'device' : role);
  const info: ChannelInfo = {
    ...recorded.info,
    ...(described?.device !== undefined ? { device: described.device } : {}),
    ...(described?.sensor !== undefined && recorded.info.sensor === undefined ? { sensor: described.sensor } : {}),
    role: channelRole,
    qos: flags.qos,
    // Ground truth is state: a replay publishes it retained, as twins do, whatever flag the broker forwarded.
    retain: channelRole === 'truth' || flags.retain,
  };
  const eventMs = recorded.eventMs;
  const logMs = mode === 'event' && eventMs !== undefined ? eventMs : receivedMs;
  return { topic, info, data: recorded.data, logTime: toNs(logMs), publishTime: toNs(eventMs ?? logMs) };
}
