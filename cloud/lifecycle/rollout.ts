import { bytesToBase64, formatFieldPath, type ReplyV1 } from '../../protocol';
import type { ModelRecord, StateStore } from '../records';
import { RolloutError } from './errors';
import { assignGroups, type GatewayRef } from './rollout-groups';
import { RolloutSpecSchema, type RolloutSpecInput } from './rollout-spec';
import { IN_FLIGHT, RolloutStore } from './rollout-store';
import {
  FAILED_PHASES,
  statusOf,
  type GatewayPhase,
  type GatewayRecord,
  type GroupRecord,
  type RolloutRecord,
  type RolloutStatus,
} from './rollout-state';

/** The gateway model commands a rollout sends (served by the gateway's handleModelCommand). */
export type RolloutAction = 'model.stage' | 'model.activate' | 'model.rollback';

/** What the controller needs from the cloud core. */
export interface RolloutPorts {
  /** Publishes a command to a gateway and returns its id; the reply comes back through onReply. `reason` is for the audit log. */
  send(gateway: string, action: RolloutAction, args: Record<string, unknown>, reason: string): string;
  /** The registered model (bytes, sha256, signature, keyId), or undefined when the version is unknown. */
  getModel(version: string): Promise<ModelRecord | undefined>;
  /** Where every transition is saved, so a restarted cloud resumes where it was. */
  state: StateStore;
}

/** The part of a features window a rollout judges the new model by. */
export interface RolloutWindow {
  device: string;
  /** Event time, ms since the Unix epoch. */
  tsMs: number;
  /** The edge model that scored the window, and its score against its threshold. */
  model?: { version: string; score: number; threshold: number };
}

interface Live {
  record: RolloutRecord;
  byGateway: Map<string, GatewayRecord>;
  /** model.stage arguments; absent while the model is missing from the registry. */
  stageArgs?: Record<string, unknown>;
}

/**
 * Rolls a model version out to gateways in groups, with hawkBit semantics: groups start one after another; a group
 * is done when finished/total ≥ successThreshold, which starts the next; errors/total > errorThreshold pauses the
 * whole rollout; an empty group counts as a success. Per gateway: model.stage (the gateway validates the model in
 * shadow) → model.activate → observe `falseAlarm.windows` live windows scored by the new model → finished, or
 * model.rollback when too many were over threshold. Every call is handled in arrival order, and every transition
 * is saved before the call resolves. A finished rollout still follows up gateways in flight (successThreshold < 1)
 * but no longer pauses; a paused one still rolls back a gateway that raised false alarms.
 */
export class RolloutController {
  readonly #ports: RolloutPorts;
  readonly #rollouts = new Map<string, Live>();
  /** Command id → who awaits its reply. */
  readonly #awaiting = new Map<string, { rollout: string; gateway: string }>();
  readonly #store: RolloutStore;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(ports: RolloutPorts) {
    this.#ports = ports;
    this.#store = new RolloutStore(ports.state);
  }

  /**
   * Reloads the rollouts that were running, paused or still had gateways in flight. Sends nothing: commands in
   * flight stay matched by their ids, and those already answered were followed up before their state was saved.
   * Window counts restart from the last saved transition.
   */
  restore(): Promise<RolloutStatus[]> {
    return this.#serial(async () => {
      const index = await this.#store.readIndex((id) => this.#rollouts.has(id));
      const restored: Live[] = [];
      for (const id of index) if (!this.#rollouts.has(id)) restored.push(this.#track(await this.#store.load(id)));
      this.#store.allHeld();
      for (const live of restored) {
        const model = await this.#ports.getModel(live.record.spec.version);
        if (model) live.stageArgs = stageArgs(model);
        else if (live.record.state === 'running') {
          live.record.state = 'paused';
          live.record.reason = `model ${live.record.spec.version} is no longer in the model registry; register it again and resume, or cancel`;
          await this.#save(live);
        }
      }
      return restored.map((live) => statusOf(live.record));
    });
  }

  /** Starts a rollout over the known gateways (in a stable order) and sends model.stage to its first group. */
  start(spec: RolloutSpecInput, gateways: readonly GatewayRef[], nowMs: number): Promise<RolloutStatus> {
    return this.#serial(async () => {
      const parsed = RolloutSpecSchema.safeParse(spec);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new RolloutError('E_ROLLOUT_SPEC', `rollout spec ${formatFieldPath(issue.path) || 'root'}: ${issue.message}`);
      }
      const { id, version } = parsed.data;
      if (this.#rollouts.has(id) || (await this.#store.exists(id))) throw new RolloutError('E_ROLLOUT_EXISTS', `rollout ${id} already exists; give the new rollout another id`);
      const model = await this.#ports.getModel(version);
      if (!model) throw new RolloutError('E_ROLLOUT_MODEL', `model ${version} is not in the model registry; register it before rolling it out`);
      const members = assignGroups(parsed.data.groups, gateways);
      this.#refuseConflicts(id, members.flat());
      const live = this.#track({
        v: 1,
        spec: parsed.data,
        state: 'running',
        groupIndex: 0,
        startedMs: nowMs,
        updatedMs: nowMs,
        groups: members.map((ids) => ({ gateways: ids, started: false, accepted: 0 })),
        gateways: members.flatMap((ids, groupIndex) => ids.map((gateway) => ({ gateway, groupIndex, phase: 'pending' as const, windows: 0, over: 0 }))),
      });
      live.stageArgs = stageArgs(model);
      this.#advance(live);
      await this.#save(live);
      return statusOf(live.record);
    });
  }

  /** Handles a gateway's reply; true when it answered one of this controller's commands. */
  onReply(gateway: string, reply: ReplyV1): Promise<boolean> {
    return this.#serial(async () => {
      const waiting = this.#awaiting.get(reply.id);
      if (!waiting || waiting.gateway !== gateway) return false;
      const live = this.#rollouts.get(waiting.rollout)!;
      const gw = live.byGateway.get(gateway)!;
      const { record } = live;
      this.#awaiting.delete(reply.id);
      delete gw.commandId;
      record.updatedMs = Math.max(record.updatedMs, reply.tsMs);
      if (gw.phase === 'staging') {
        if (!reply.ok) this.#fail(live, gw, 'error', `stage refused: ${refusal(reply)}`);
        else if (record.state === 'paused') {
          gw.staged = true;
          gw.reason = 'staged; activation waits for resume';
        } else this.#activate(live, gw);
      } else if (gw.phase === 'activating') {
        if (!reply.ok) this.#fail(live, gw, 'error', `activate refused: ${refusal(reply)}`);
        else {
          gw.phase = 'observing';
          gw.windows = 0;
          gw.over = 0;
        }
      } else if (gw.phase === 'rolled-back' && !reply.ok) {
        // Already counted as a failure; what changes is that the gateway still runs the new model.
        gw.phase = 'error';
        gw.reason = `${gw.reason ?? 'rolled back'}; rollback refused too (${refusal(reply)}), so it still runs ${record.spec.version}`;
      }
      await this.#save(live);
      return true;
    });
  }

  /** Counts a live window toward the judgement of a gateway that runs the new model. */
  onWindow(gateway: string, window: RolloutWindow): Promise<void> {
    return this.#serial(async () => {
      for (const live of this.#rollouts.values()) {
        const gw = live.byGateway.get(gateway);
        const { spec } = live.record;
        if (gw?.phase !== 'observing' || live.record.state === 'cancelled' || window.model?.version !== spec.version) continue;
        gw.windows++;
        if (window.model.score > window.model.threshold) gw.over++;
        if (gw.windows < spec.falseAlarm.windows) continue;
        live.record.updatedMs = Math.max(live.record.updatedMs, window.tsMs);
        const rate = gw.over / gw.windows;
        gw.overRate = rate;
        const measured = `${gw.over} of ${gw.windows} windows over threshold (${percent(rate)} ${rate > spec.falseAlarm.maxRate ? '>' : '≤'} ${percent(spec.falseAlarm.maxRate)})`;
        if (rate <= spec.falseAlarm.maxRate) {
          gw.phase = 'finished';
          gw.reason = measured;
          this.#settled(live, gw);
        } else {
          // Sent even while paused: a pause stops the new model spreading, and a rollback only takes it back.
          this.#send(live, gw, 'model.rollback', {}, `rollback ${spec.version}: false alarms, ${measured}`);
          this.#fail(live, gw, 'rolled-back', `false alarms: ${measured}`);
        }
        await this.#save(live);
      }
    });
  }

  /** Resumes a paused rollout, accepting the failures so far (they count as done, no longer against the error threshold). */
  resume(id: string, nowMs: number): Promise<RolloutStatus> {
    return this.#serial(async () => {
      const live = this.#get(id);
      const { record } = live;
      if (record.state === 'running') return statusOf(record);
      if (record.state !== 'paused') throw new RolloutError('E_ROLLOUT_STATE', `rollout ${id} is ${record.state} and cannot resume; start a new rollout instead`);
      if (!live.stageArgs) {
        const model = await this.#ports.getModel(record.spec.version);
        if (!model) throw new RolloutError('E_ROLLOUT_MODEL', `model ${record.spec.version} is not in the model registry; register it again before resuming`);
        live.stageArgs = stageArgs(model);
      }
      record.state = 'running';
      delete record.reason;
      record.updatedMs = Math.max(record.updatedMs, nowMs);
      for (const group of record.groups) if (group.started) group.accepted = this.#count(live, group, FAILED_PHASES);
      for (const gw of record.gateways) if (gw.staged) this.#activate(live, gw);
      this.#advance(live);
      await this.#save(live);
      return statusOf(record);
    });
  }

  /** Stops a rollout for good: nothing more is sent and replies are no longer followed up; gateways keep what they run. */
  cancel(id: string, nowMs: number, reason = 'cancelled by an operator'): Promise<RolloutStatus> {
    return this.#serial(async () => {
      const live = this.#get(id);
      const { record } = live;
      if (record.state === 'cancelled' || record.state === 'finished') {
        throw new RolloutError('E_ROLLOUT_STATE', `rollout ${id} is already ${record.state}; there is nothing to cancel`);
      }
      record.state = 'cancelled';
      record.reason = reason;
      record.updatedMs = Math.max(record.updatedMs, nowMs);
      for (const gw of record.gateways) if (gw.commandId !== undefined) this.#awaiting.delete(gw.commandId);
      await this.#save(live);
      return statusOf(record);
    });
  }

  status(id: string): RolloutStatus | undefined {
    const live = this.#rollouts.get(id);
    return live && statusOf(live.record);
  }

  /** Every rollout this controller holds, in start order. */
  statuses(): RolloutStatus[] {
    return [...this.#rollouts.values()].map((live) => statusOf(live.record));
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #get(id: string): Live {
    const live = this.#rollouts.get(id);
    if (!live) throw new RolloutError('E_ROLLOUT_UNKNOWN', `no rollout ${id} here; list the rollouts for the right id, or restore() after a restart`);
    return live;
  }

  #track(record: RolloutRecord): Live {
    const live: Live = { record, byGateway: new Map(record.gateways.map((g) => [g.gateway, g])) };
    this.#rollouts.set(record.spec.id, live);
    for (const gw of record.gateways) if (gw.commandId !== undefined) this.#awaiting.set(gw.commandId, { rollout: record.spec.id, gateway: gw.gateway });
    return live;
  }

  /** Two rollouts driving one gateway's model slot would undo each other. */
  #refuseConflicts(id: string, gateways: readonly string[]): void {
    for (const other of this.#rollouts.values()) {
      if (other.record.state === 'cancelled') continue;
      const busy = gateways.filter((g) => {
        const phase = other.byGateway.get(g)?.phase;
        return phase !== undefined && (phase === 'pending' ? other.record.state !== 'finished' : IN_FLIGHT.has(phase));
      });
      if (busy.length > 0) {
        throw new RolloutError(
          'E_ROLLOUT_CONFLICT',
          `rollout ${id} would drive ${busy.join(', ')}, still in rollout ${other.record.spec.id}; wait for it to finish or cancel it first`,
        );
      }
    }
  }

  /** Starts groups while the current one has met its success condition; finishes after the last. */
  #advance(live: Live): void {
    const { record } = live;
    while (record.state === 'running') {
      const group = record.groups[record.groupIndex]!;
      if (!group.started) {
        group.started = true;
        for (const id of group.gateways) {
          const gw = live.byGateway.get(id)!;
          this.#send(live, gw, 'model.stage', live.stageArgs!, `stage ${record.spec.version}`);
          gw.phase = 'staging';
        }
      }
      // hawkBit: finished/total ≥ threshold starts the next group; an empty group counts as a success.
      const total = group.gateways.length;
      const done = this.#count(live, group, new Set(['finished'])) + group.accepted;
      if (total > 0 && done / total < record.spec.successThreshold) return;
      if (record.groupIndex === record.groups.length - 1) {
        record.state = 'finished';
        record.reason = `all ${record.groups.length} groups met the success threshold ${percent(record.spec.successThreshold)}`;
        return;
      }
      record.groupIndex++;
    }
  }

  #activate(live: Live, gw: GatewayRecord): void {
    delete gw.staged;
    delete gw.reason;
    this.#send(live, gw, 'model.activate', { version: live.record.spec.version }, `activate ${live.record.spec.version}`);
    gw.phase = 'activating';
  }

  #fail(live: Live, gw: GatewayRecord, phase: 'error' | 'rolled-back', reason: string): void {
    gw.phase = phase;
    gw.reason = reason;
    this.#settled(live, gw);
  }

  /** A gateway reached finished, rolled-back or error: check its group's error condition, then move on if it allows. */
  #settled(live: Live, gw: GatewayRecord): void {
    const { record } = live;
    if (record.state !== 'running') return;
    if (FAILED_PHASES.has(gw.phase)) {
      const group = record.groups[gw.groupIndex]!;
      const total = group.gateways.length;
      const errors = this.#count(live, group, FAILED_PHASES) - group.accepted;
      // hawkBit: errors/total > threshold (strictly), and the only action is to pause the whole rollout.
      if (errors / total > record.spec.errorThreshold) {
        record.state = 'paused';
        record.reason =
          `${this.#groupLabel(live, gw.groupIndex)}: ${errors} of ${total} gateways failed, over the error threshold ${percent(record.spec.errorThreshold)} ` +
          `(latest ${gw.gateway}: ${gw.reason}); resume to accept these failures and go on, or cancel`;
        return;
      }
    }
    this.#advance(live);
  }

  #count(live: Live, group: GroupRecord, phases: ReadonlySet<GatewayPhase>): number {
    return group.gateways.filter((id) => phases.has(live.byGateway.get(id)!.phase)).length;
  }

  #send(live: Live, gw: GatewayRecord, action: RolloutAction, args: Record<string, unknown>, what: string): void {
    const reason = `rollout ${live.record.spec.id} ${this.#groupLabel(live, gw.groupIndex)}: ${what}`;
    const commandId = this.#ports.send(gw.gateway, action, args, reason);
    gw.commandId = commandId;
    this.#awaiting.set(commandId, { rollout: live.record.spec.id, gateway: gw.gateway });
  }

  #groupLabel(live: Live, groupIndex: number): string {
    const name = live.record.spec.groups[groupIndex]?.name;
    return `group ${groupIndex + 1}/${live.record.groups.length}${name ? ` (${name})` : ''}`;
  }

  #save(live: Live): Promise<void> {
    return this.#store.save(live.record, [...this.#rollouts.values()].map((l) => l.record));
  }
}

function stageArgs(model: ModelRecord): Record<string, unknown> {
  return { bytes: bytesToBase64(model.bytes), sha256: model.sha256, version: model.version, signature: model.signature, keyId: model.keyId };
}

function refusal(reply: ReplyV1): string {
  return `${reply.code ?? 'no code'}: ${reply.error ?? 'no message'}`;
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
