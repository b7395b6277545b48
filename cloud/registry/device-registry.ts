import type { CommandV1, ReplyV1, StatusV1 } from '../../protocol';
import type { RegistryEntry, RegistryStore, Shadow } from '../records';
import { isRotatingMachine } from './device-actions';
import { deepEqual } from './deep-equal';
import { ShadowConflictError, ShadowPatchError, UnknownDeviceError } from './errors';
import { isPlainObject, mergePatch } from './json-merge-patch';
import { emptyShadow, shadowView, type ShadowView } from './shadow-view';

/** Delivers a command on its target's cmd topic; `by` says who asked (`api:<user>`, `rule:<name>`), for the audit log. */
export type CommandSender = (site: string, command: CommandV1, by: string) => void | Promise<void>;

export interface DeviceRegistryOptions {
  store: RegistryStore;
  /** Sends the commands a desired-state change produces. Default: none is sent; the caller delivers what setDesired returns. */
  send?: CommandSender;
}

/** What a desired-state change did: the shadow after it, and the commands sent to deliver it (shadow.desired first). */
export interface DesiredUpdate {
  shadow: ShadowView;
  commands: CommandV1[];
}

/** The latest window of one sensor, as kept in a device shadow's `reported.sensors`. */
export interface ReportedSensor {
  /** Event time of the window, ms since the Unix epoch. */
  tsMs: number;
  unit?: string;
  features?: Record<string, number>;
}

/** Model actions whose reply carries the slot status (gateway/model/model-command.ts). */
const MODEL_ACTIONS: ReadonlySet<string> = new Set(['model.stage', 'model.activate', 'model.rollback', 'model.status']);

/**
 * The devices and gateways the cloud has heard of, with their shadows: what they report (status, counters, the
 * latest window per sensor, the active model) and what they are asked to reach (desired). Works over a
 * RegistryStore, keeping a copy of what it read; every call runs after the previous one finished, so a version
 * check and the write it guards never interleave with another change.
 */
export class DeviceRegistry {
  readonly #store: RegistryStore;
  readonly #send: CommandSender | undefined;
  #entries: Map<string, RegistryEntry> | undefined;
  readonly #shadows = new Map<string, Shadow>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: DeviceRegistryOptions) {
    this.#store = options.store;
    this.#send = options.send;
  }

  /**
   * A gateway's status: `online`, or `offline` from a clean stop or its last will. A retained status is the broker's
   * copy, replayed when the cloud subscribes; a retained `online` older than what the registry already holds is a
   * leftover and is ignored. The will was composed when the gateway connected, so its time and counters are old:
   * its state always applies, its counters only if newer than those held. An offline gateway takes its devices with it.
   */
  onStatus(site: string, status: StatusV1, retained: boolean): Promise<void> {
    return this.#serial(async () => {
      const known = (await this.#entryMap()).get(status.device);
      if (retained && status.state === 'online' && known && status.tsMs < known.lastSeenMs) return;
      const online = status.state === 'online';
      await this.#putEntry({
        id: status.device,
        kind: 'gateway',
        site,
        online,
        lastSeenMs: Math.max(known?.lastSeenMs ?? status.tsMs, status.tsMs),
        sensors: known?.sensors ?? [],
      });
      const shadow = await this.#loadShadow(status.device);
      const reported: Record<string, unknown> = { ...shadow.reported, state: status.state };
      const countersMs = typeof shadow.reported.countersMs === 'number' ? shadow.reported.countersMs : -Infinity;
      if (status.counters && status.tsMs >= countersMs) Object.assign(reported, { counters: status.counters, countersMs: status.tsMs });
      await this.#putShadow({ ...shadow, reported, reportedMs: Math.max(shadow.reportedMs, status.tsMs), version: shadow.version + 1 });
      if (!online) await this.#takeDevicesOffline(status.device);
    });
  }

  /**
   * A window from a device: registers it (through `gateway`, when known), marks it online, and keeps the window as
   * the sensor's latest in `reported.sensors` unless a later one is already there.
   */
  onReading(
    site: string,
    device: string,
    sensor: string,
    tsMs: number,
    gateway?: string,
    features?: Record<string, number>,
    unit?: string,
  ): Promise<void> {
    return this.#serial(async () => {
      const known = (await this.#entryMap()).get(device);
      const sensors = known?.sensors.includes(sensor) ? known.sensors : [...(known?.sensors ?? []), sensor].sort();
      const via = gateway ?? known?.gateway;
      await this.#putEntry({
        id: device,
        kind: 'device',
        site,
        online: true,
        lastSeenMs: Math.max(known?.lastSeenMs ?? tsMs, tsMs),
        ...(via ? { gateway: via } : {}),
        sensors,
      });
      const shadow = await this.#loadShadow(device);
      const latest = isPlainObject(shadow.reported.sensors) ? shadow.reported.sensors : {};
      const previous = latest[sensor];
      if (isPlainObject(previous) && typeof previous.tsMs === 'number' && previous.tsMs > tsMs) return;
      const reading: ReportedSensor = { tsMs, ...(unit ? { unit } : {}), ...(features ? { features: { ...features } } : {}) };
      await this.#putShadow({
        ...shadow,
        reported: { ...shadow.reported, sensors: { ...latest, [sensor]: reading } },
        reportedMs: Math.max(shadow.reportedMs, tsMs),
        version: shadow.version + 1,
      });
    });
  }

  /** A gateway's answer to a model command: the active model version it reports goes to `reported.model` (null: none). */
  onReply(site: string, reply: ReplyV1): Promise<void> {
    return this.#serial(async () => {
      if (!MODEL_ACTIONS.has(reply.action)) return;
      const status = reply.result?.status;
      if (!isPlainObject(status) || !('active' in status)) return;
      const active = status.active;
      const model = isPlainObject(active) && typeof active.version === 'string' ? active.version : null;
      const known = (await this.#entryMap()).get(reply.device);
      await this.#putEntry({
        id: reply.device,
        kind: 'gateway',
        site,
        // A reply is a message from it, not its status: only an unknown gateway is taken to be online by it.
        online: known?.online ?? true,
        lastSeenMs: Math.max(known?.lastSeenMs ?? reply.tsMs, reply.tsMs),
        sensors: known?.sensors ?? [],
      });
      const shadow = await this.#loadShadow(reply.device);
      await this.#putShadow({
        ...shadow,
        reported: { ...shadow.reported, model },
        reportedMs: Math.max(shadow.reportedMs, reply.tsMs),
        version: shadow.version + 1,
      });
    });
  }

  /** Every device and gateway, by id. */
  entries(): Promise<RegistryEntry[]> {
    return this.#serial(async () => [...(await this.#entryMap()).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  }

  entry(id: string): Promise<RegistryEntry | undefined> {
    return this.#serial(async () => (await this.#entryMap()).get(id));
  }

  /** The shadow with its delta; undefined for a device the registry has never heard from. */
  shadow(device: string): Promise<ShadowView | undefined> {
    return this.#serial(async () => ((await this.#entryMap()).has(device) ? shadowView(await this.#loadShadow(device)) : undefined));
  }

  /**
   * Merges `patch` into the desired state (RFC 7386: null deletes a key), bumps the version, and sends the device a
   * `shadow.desired` command carrying the whole desired state. A patch that sets `speedRpm` on a pump or fan also
   * sends `slow-down` (below the speed it was at) or `resume` {speedRpm}; one that deletes it sends `resume` to the
   * configured speed. `expectedVersion`, when given, must be the current version.
   * @param by who asks: `api:<user>`, `rule:<name>`, `rollout:<id>`.
   * @param tsMs event time of the change, ms since the Unix epoch.
   */
  setDesired(device: string, patch: Record<string, unknown>, by: string, tsMs: number, expectedVersion?: number): Promise<DesiredUpdate> {
    return this.#serial(async () => {
      const entry = (await this.#entryMap()).get(device);
      if (!entry) throw new UnknownDeviceError(device);
      const speed = speedChange(entry, patch);
      const shadow = await this.#loadShadow(device);
      if (expectedVersion !== undefined && expectedVersion !== shadow.version) throw new ShadowConflictError(device, expectedVersion, shadow.version);
      const desired = mergePatch(shadow.desired, patch) as Record<string, unknown>;
      const next: Shadow = { ...shadow, desired, desiredMs: tsMs, version: shadow.version + 1 };
      await this.#putShadow(next);

      const base = { type: 'cmd', v: 1, device, tsMs } as const;
      // Ids come from the shadow version, so they are unique per device and the same on a replay of the same change.
      const commands: CommandV1[] = [{ ...base, id: `shadow-${device}-v${next.version}`, action: 'shadow.desired', args: { ...desired } }];
      if (speed !== undefined) {
        const from = numberAt(shadow.reported, 'speedRpm') ?? numberAt(shadow.desired, 'speedRpm');
        const action = speed === null || (from !== undefined && speed >= from) ? 'resume' : 'slow-down';
        commands.push({ ...base, id: `shadow-${device}-v${next.version}-speed`, action, args: speed === null ? {} : { speedRpm: speed } });
      }
      for (const command of commands) await this.#send?.(entry.site, command, by);
      return { shadow: shadowView(next), commands };
    });
  }

  async #takeDevicesOffline(gateway: string): Promise<void> {
    for (const entry of (await this.#entryMap()).values()) {
      if (entry.kind === 'device' && entry.gateway === gateway && entry.online) await this.#putEntry({ ...entry, online: false });
    }
  }

  async #entryMap(): Promise<Map<string, RegistryEntry>> {
    this.#entries ??= new Map((await this.#store.registry()).map((entry) => [entry.id, entry]));
    return this.#entries;
  }

  async #putEntry(entry: RegistryEntry): Promise<void> {
    const entries = await this.#entryMap();
    if (deepEqual(entries.get(entry.id), entry)) return;
    await this.#store.upsertDevice(entry);
    entries.set(entry.id, entry);
  }

  async #loadShadow(device: string): Promise<Shadow> {
    let shadow = this.#shadows.get(device);
    if (!shadow) {
      shadow = (await this.#store.loadShadow(device)) ?? emptyShadow(device);
      this.#shadows.set(device, shadow);
    }
    return shadow;
  }

  async #putShadow(shadow: Shadow): Promise<void> {
    await this.#store.saveShadow(shadow);
    this.#shadows.set(shadow.device, shadow);
  }

  /** Runs `task` after every call before it; a failed call does not stop the ones after it. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** The speed a patch asks of a pump or fan: a number, null (back to the configured speed), or undefined (no change). */
function speedChange(entry: RegistryEntry, patch: Record<string, unknown>): number | null | undefined {
  if (!Object.hasOwn(patch, 'speedRpm')) return undefined;
  const speed = patch.speedRpm;
  if (!isRotatingMachine(entry)) {
    throw new ShadowPatchError(entry.id, 'desired.speedRpm', `${entry.id} is not a pump or fan and takes no speed commands; remove speedRpm`);
  }
  if (speed === null) return null;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0 || speed > 60_000) {
    throw new ShadowPatchError(entry.id, 'desired.speedRpm', 'expected a shaft speed in rpm, a number from 0 to 60000, or null to resume the configured speed');
  }
  return speed;
}

function numberAt(state: Record<string, unknown>, key: string): number | undefined {
  const value = state[key];
  return typeof value === 'number' ? value : undefined;
}
