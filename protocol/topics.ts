import { z } from 'zod';

/** Root of every twinbed topic; the `v1` is the topic scheme's version, not a payload version. */
export const TOPIC_ROOT = 'twinbed/v1';

/** Site, device and sensor names are single topic levels: no `/`, `+`, `#` or leading `$`. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const IdSchema = z.string().regex(ID_PATTERN, 'use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The same test as IdSchema, without a parse: for hot paths that check a string they already hold. */
export const isId = (value: string): boolean => ID_PATTERN.test(value);

export type DeviceTopicKind = 'telemetry' | 'features' | 'raw' | 'event' | 'status' | 'cmd' | 'reply';

export const topics = {
  /** Raw sample blocks from a device sensor. */
  telemetry: (site: string, device: string, sensor: string) => `${TOPIC_ROOT}/${site}/${device}/telemetry/${sensor}`,
  /** Features the gateway computed from a window of telemetry blocks; keyed by the window's first block seq. */
  features: (site: string, device: string, sensor: string) => `${TOPIC_ROOT}/${site}/${device}/features/${sensor}`,
  /** Raw blocks the gateway uplinks around events or on request, compressed. */
  raw: (site: string, device: string, sensor: string) => `${TOPIC_ROOT}/${site}/${device}/raw/${sensor}`,
  event: (site: string, device: string) => `${TOPIC_ROOT}/${site}/${device}/event`,
  status: (site: string, device: string) => `${TOPIC_ROOT}/${site}/${device}/status`,
  cmd: (site: string, device: string) => `${TOPIC_ROOT}/${site}/${device}/cmd`,
  /** Replies to the commands a device or gateway received on its cmd topic. */
  reply: (site: string, device: string) => `${TOPIC_ROOT}/${site}/${device}/reply`,
  /** Messages that could not be decoded or validated, wrapped with the reason. */
  deadLetter: (site: string) => `${TOPIC_ROOT}/${site}/deadletter`,
  /**
   * A twin's true fault state: outside the twinbed/v1 tree, so it never travels on a device's own topics and no
   * pipeline under test can see it by subscribing to the devices.
   */
  truth: (site: string, device: string) => `${TRUTH_ROOT}/${site}/${device}`,
  /** A staged model rollout's status, retained. */
  rollout: (id: string) => `${CLOUD_ROOT}/rollout/${id}`,
} as const;

/** Root of the ground-truth channel, kept apart from device topics. */
export const TRUTH_ROOT = 'twinbed-truth/v1';

/** Root of the cloud's own state (rollouts): it spans sites, so it lives outside any site's tree. */
export const CLOUD_ROOT = 'twinbed-cloud/v1';

/** Subscription filters; `site` defaults to every site. */
export const filters = {
  telemetry: (site = '+') => `${TOPIC_ROOT}/${site}/+/telemetry/+`,
  features: (site = '+') => `${TOPIC_ROOT}/${site}/+/features/+`,
  raw: (site = '+') => `${TOPIC_ROOT}/${site}/+/raw/+`,
  event: (site = '+') => `${TOPIC_ROOT}/${site}/+/event`,
  status: (site = '+') => `${TOPIC_ROOT}/${site}/+/status`,
  reply: (site = '+') => `${TOPIC_ROOT}/${site}/+/reply`,
  /** Commands to every device and gateway of the site. */
  cmd: (site = '+') => `${TOPIC_ROOT}/${site}/+/cmd`,
  deadLetter: (site = '+') => `${TOPIC_ROOT}/${site}/deadletter`,
  truth: (site = '+') => `${TRUTH_ROOT}/${site}/+`,
  rollout: () => `${CLOUD_ROOT}/rollout/+`,
} as const;

export type ParsedTopic =
  | { kind: 'telemetry' | 'features' | 'raw'; site: string; device: string; sensor: string }
  | { kind: 'event' | 'status' | 'cmd' | 'reply'; site: string; device: string }
  | { kind: 'deadletter'; site: string };

/** Parses a twinbed topic; returns undefined for anything outside the scheme, wildcards included. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'twinbed' || parts[1] !== 'v1') return undefined;
  const idLevels = parts.length === 6 ? [2, 3, 5] : parts.length === 5 ? [2, 3] : [2];
  if (!idLevels.every((i) => ID_PATTERN.test(parts[i] ?? ''))) return undefined;
  const [, , site, device, kind, sensor] = parts;
  if (!site) return undefined;
  if (parts.length === 4 && device === 'deadletter') return { kind: 'deadletter', site };
  if (!device) return undefined;
  if (parts.length === 6 && sensor && (kind === 'telemetry' || kind === 'features' || kind === 'raw')) return { kind, site, device, sensor };
  if (parts.length === 5 && (kind === 'event' || kind === 'status' || kind === 'cmd' || kind === 'reply')) return { kind, site, device };
  return undefined;
}
