import { parseTopic, TOPIC_ROOT, topics, TRUTH_ROOT } from '../../protocol';

/** Who a broker connection is: a registered device, or one of the gateway's own clients. */
export type Principal = { kind: 'device'; id: string } | { kind: 'internal' };

export interface AclOptions {
  /** The site the broker serves; every allowed topic is under it. */
  site: string;
  /** Let a device publish its own ground truth (`twinbed-truth/v1/{site}/{id}`), as simulated twins do. */
  allowTruth: boolean;
}

export type AclDecision = { allowed: true } | { allowed: false; reason: string };

/** Topic kinds a device publishes itself; features and dead letters come from the gateway, commands go to the device. */
const DEVICE_KINDS: ReadonlySet<string> = new Set(['telemetry', 'event', 'status']);

const ALLOW: AclDecision = { allowed: true };
const deny = (reason: string): AclDecision => ({ allowed: false, reason });

/** What a device may publish: its own telemetry, event and status (and its truth, when enabled). Nothing else. */
export function mayPublish(principal: Principal, topic: string, options: AclOptions): AclDecision {
  if (principal.kind === 'internal') {
    return withinSite(topic, options.site) ? ALLOW : deny(`internal clients publish only under ${siteRoots(options.site)}, not ${topic}`);
  }
  const id = principal.id;
  if (options.allowTruth && topic === topics.truth(options.site, id)) return ALLOW;
  const where = parseTopic(topic);
  if (where && DEVICE_KINDS.has(where.kind) && where.site === options.site && 'device' in where && where.device === id) return ALLOW;
  const own = `${TOPIC_ROOT}/${options.site}/${id}/`;
  const truth = options.allowTruth ? ` and ${topics.truth(options.site, id)}` : '';
  return deny(`device ${id} may publish only ${own}telemetry/{sensor}, ${own}event and ${own}status${truth}, not ${topic}`);
}

/** What a device may subscribe to: exactly its own command topic, no wildcards. */
export function maySubscribe(principal: Principal, filter: string, options: AclOptions): AclDecision {
  if (principal.kind === 'internal') {
    return withinSite(filter, options.site) ? ALLOW : deny(`internal clients subscribe only under ${siteRoots(options.site)}, not ${filter}`);
  }
  const cmd = topics.cmd(options.site, principal.id);
  return filter === cmd ? ALLOW : deny(`device ${principal.id} may subscribe only to ${cmd}, not ${filter}`);
}

/** Under the site's own trees; the site level must be literal, so `twinbed/v1/+/…` (every site) is out. */
function withinSite(topic: string, site: string): boolean {
  return topic.startsWith(`${TOPIC_ROOT}/${site}/`) || topic.startsWith(`${TRUTH_ROOT}/${site}/`);
}

function siteRoots(site: string): string {
  return `${TOPIC_ROOT}/${site}/ and ${TRUTH_ROOT}/${site}/`;
}
