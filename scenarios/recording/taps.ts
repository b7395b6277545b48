import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { filters } from '../../protocol';
import { DEFAULT_COMMAND_TOPIC, DEFAULT_TOPIC, topicMatcher, type DeviceConnection } from '../../twins';
import type { Observe } from '../target';
import { filterOfTemplate, type Tap, type TapFilter } from './recorder';

/**
 * The device broker: readings on the topic template, commands on the command template, ground truth of `truthSite`
 * (`+` for any) when it goes there.
 */
export function deviceTap(devices: DeviceConnection & { url: string }, truthSite: string | undefined, observe: Observe): Tap {
  const list: TapFilter[] = [];
  if (devices.format.type === 'sparkplug-b') list.push({ filter: `spBv1.0/${filterOfTemplate(devices.format.groupId)}/#`, role: 'device' });
  else {
    list.push({ filter: filterOfTemplate(devices.topic ?? DEFAULT_TOPIC), role: 'telemetry' });
    const command = devices.commandTopic ?? DEFAULT_COMMAND_TOPIC;
    if (command) list.push({ filter: filterOfTemplate(command), role: 'command' });
  }
  if (truthSite) list.push({ filter: filters.truth(truthSite), role: 'truth' });
  // Credentials: a broker observed and fed at once is entered with the observer's.
  const shared = observe.url === undefined || observe.url === devices.url;
  return {
    url: devices.url,
    filters: list,
    ...(shared && observe.username !== undefined ? { username: observe.username } : {}),
    ...(shared && observe.password !== undefined ? { password: observe.password } : {}),
  };
}

/** The observed broker, with what the target maps: alerts, readings (features) and commands; replies and rollouts as observed. */
export async function observedTap(url: string, observe: Observe, baseDir: string): Promise<Tap> {
  const role = { alert: 'alert', reading: 'features', command: 'command', reply: 'observed', rollout: 'observed' } as const;
  return {
    url,
    filters: observe.topics.map((t) => ({ filter: t.filter, role: role[t.as] })),
    protocolVersion: observe.protocolVersion,
    ...(observe.username !== undefined ? { username: observe.username } : {}),
    ...(observe.password !== undefined ? { password: observe.password } : {}),
    ...(observe.ca ? { ca: await readFile(path.resolve(baseDir, observe.ca)) } : {}),
  };
}

/** Device and sensor of a topic built from the devices' templates, for payloads that do not name them. */
export function describer(devices: DeviceConnection): (topic: string) => { device?: string; sensor?: string } | undefined {
  if (devices.format.type === 'sparkplug-b') return () => undefined;
  const reading = topicMatcher(devices.topic ?? DEFAULT_TOPIC);
  const commandTemplate = devices.commandTopic ?? DEFAULT_COMMAND_TOPIC;
  const command = commandTemplate ? topicMatcher(commandTemplate) : () => undefined;
  return (topic) => reading(topic) ?? command(topic);
}
