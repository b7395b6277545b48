import type { Logger } from 'pino';
import { encodeMessage, topics, type CommandV1, type ReplyV1 } from '../protocol';
import type { Clock, MqttClient } from '../sim';
import type { AuditEntry, AuditStore } from './records';

/** What a command is, who sent it and why: every command the cloud sends goes through here and into the audit log. */
export interface CommandOrder {
  site: string;
  /** The device or gateway it is for. */
  target: string;
  action: string;
  args?: Record<string, unknown>;
  /** `rule:<name>`, `api:<user>`, `rollout:<id>`, `shadow`, `system`. */
  actor: string;
  reason: string;
}

/**
 * Sends the cloud's commands on their target's cmd topic (QoS 1) and keeps the audit log: one entry when a command
 * is sent (or held back by a rate limit), one when its reply comes back, matched by id.
 */
export class CommandSender {
  readonly #audit: AuditStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #prefix: string;
  #client: MqttClient | undefined;
  #count = 0;
  /** Commands sent and not yet answered, by id: who sent them, for the reply's audit entry. */
  readonly #open = new Map<string, CommandOrder>();
  sent = 0;

  constructor(options: { audit: AuditStore; clock: Clock; logger: Logger; idPrefix: string }) {
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.#prefix = options.idPrefix;
  }

  attach(client: MqttClient | undefined): void {
    this.#client = client;
  }

  /** Publishes the command and returns it with the audit entry to store (the caller stores it, in its own transaction if it has one). */
  prepare(order: CommandOrder): { command: CommandV1; audit: AuditEntry } {
    const tsMs = this.#clock.now();
    // The clock and a counter: unique across restarts of this process, which start counting again.
    const id = `${this.#prefix}-${Math.round(tsMs)}-${++this.#count}`;
    const command: CommandV1 = { type: 'cmd', v: 1, device: order.target, tsMs, id, action: order.action, ...(order.args ? { args: order.args } : {}) };
    this.#open.set(id, order);
    // Devices rarely answer (twins do not): keep the newest only, so unanswered commands cannot pile up.
    if (this.#open.size > MAX_OPEN) this.#open.delete(this.#open.keys().next().value!);
    return { command, audit: entry(order, tsMs, 'sent', id) };
  }

  publish(site: string, command: CommandV1): void {
    this.sent++;
    this.#log.info({ target: command.device, action: command.action, id: command.id }, 'command sent');
    this.#client?.publish(topics.cmd(site, command.device), Buffer.from(encodeMessage(command, 'json')), { qos: 1 }, (error) => {
      if (error) this.#log.error({ err: error, target: command.device, id: command.id }, 'command not delivered to the broker');
    });
  }

  /** Sends one command now and audits it; returns its id. */
  async send(order: CommandOrder): Promise<string> {
    const { command, audit } = this.prepare(order);
    await this.#audit.appendAudit(audit);
    this.publish(order.site, command);
    return command.id;
  }

  /** send() for a caller that cannot wait (a port that must return the id at once): the audit entry is stored behind it. */
  sendNow(order: CommandOrder): string {
    const { command, audit } = this.prepare(order);
    void this.#audit.appendAudit(audit).catch((error: unknown) => this.#log.error({ err: error, id: command.id }, 'audit entry not stored'));
    this.publish(order.site, command);
    return command.id;
  }

  /** The audit entry of a command a rate limit held back. */
  limited(order: CommandOrder): AuditEntry {
    return entry(order, this.#clock.now(), 'rate-limited');
  }

  /** Model commands to gateways still waiting for their reply: gateways answer every one. */
  awaitingReplies(): number {
    let n = 0;
    for (const order of this.#open.values()) if (order.action.startsWith('model.')) n++;
    return n;
  }

  /** A reply to one of our commands: its audit entry; undefined for a reply to someone else's command. */
  async onReply(reply: ReplyV1): Promise<AuditEntry | undefined> {
    const order = this.#open.get(reply.id);
    if (!order) return undefined;
    this.#open.delete(reply.id);
    const reason = reply.ok ? `${order.reason}: done` : `${order.reason}: refused, ${reply.code ?? 'error'}: ${reply.error ?? 'no reason given'}`;
    const audit = entry({ ...order, reason }, reply.tsMs, reply.ok ? 'ok' : 'refused', reply.id);
    await this.#audit.appendAudit(audit);
    return audit;
  }
}

/** Unanswered commands remembered for their reply's audit entry. */
const MAX_OPEN = 10_000;

function entry(order: CommandOrder, tsMs: number, outcome: AuditEntry['outcome'], commandId?: string): AuditEntry {
  return {
    tsMs,
    actor: order.actor,
    target: order.target,
    action: order.action,
    ...(order.args ? { args: order.args } : {}),
    ...(commandId ? { commandId } : {}),
    reason: order.reason,
    outcome,
  };
}
