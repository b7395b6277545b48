import { z } from 'zod';
import type { AlertChange } from '../../protocol';
import { DEFAULT_RATE_LIMIT, type RateLimit, type RuleAction } from './action-schema';
import { AutomationStateError } from './analytics-errors';
import { TokenBucket } from './token-bucket';

/** A command a rule asks for. Rate-limited ones come back too, with `limited: true`, to be audited but not sent. */
export interface CommandRequest {
  /** The rule whose alert triggered it. */
  rule: string;
  /** The device or gateway id to send it to. */
  target: string;
  to: 'device' | 'gateway';
  /** The device the alert is about (the target itself, or a device behind the target gateway). */
  device: string;
  action: string;
  args?: Record<string, unknown>;
  /** `<rule>: <alert message>`, for the audit log. */
  reason: string;
  /** Event time of the alert change that triggered it. */
  tsMs: number;
  limited: boolean;
}

/** The automation part of a rule. */
export interface AutomatedRule {
  name: string;
  then?: readonly RuleAction[];
  rateLimit?: RateLimit;
}

const SnapshotSchema = z
  .object({
    v: z.literal(1),
    buckets: z.array(z.object({ rule: z.string(), target: z.string(), tokens: z.number().finite().nonnegative(), atMs: z.number().finite() }).strict()),
  })
  .strict();

/** Rate-limit state as JSON, for a StateStore; restore() takes it back. */
export type AutomationSnapshot = z.output<typeof SnapshotSchema>;

/**
 * Turns alert changes into commands. One token bucket per rule and target counts alert changes, not commands: the
 * several commands one change sends to a target pass or are limited together, so a rule that sends two commands
 * on a raise is not half-limited by its own default of 1 per 60 s.
 */
export class Automation {
  readonly #rules = new Map<string, AutomatedRule>();
  readonly #buckets = new Map<string, { rule: string; target: string; bucket: TokenBucket }>();

  constructor(rules: readonly AutomatedRule[]) {
    for (const rule of rules) this.#rules.set(rule.name, rule);
  }

  /** The commands an alert change triggers, in the rule's `then` order. `gateway`: the one its device was last heard through. */
  onChange(change: AlertChange, gateway?: string): CommandRequest[] {
    const rule = this.#rules.get(change.rule);
    const actions = (rule?.then ?? []).filter((a) => a.on === change.state);
    if (!rule || actions.length === 0) return [];
    const allowed = new Map<string, boolean>();
    return actions.map(({ command }) => {
      const target = command.device ?? (command.to === 'gateway' ? (gateway ?? change.device) : change.device);
      let ok = allowed.get(target);
      if (ok === undefined) {
        ok = this.#bucket(rule, target, change.tsMs).take(change.tsMs);
        allowed.set(target, ok);
      }
      return {
        rule: rule.name,
        target,
        to: command.to,
        device: change.device,
        action: command.action,
        ...(command.args !== undefined ? { args: command.args } : {}),
        reason: `${rule.name}: ${change.message}`,
        tsMs: change.tsMs,
        limited: !ok,
      };
    });
  }

  snapshot(): AutomationSnapshot {
    return { v: 1, buckets: [...this.#buckets.values()].map(({ rule, target, bucket }) => ({ rule, target, ...bucket.state() })) };
  }

  /** Takes back a snapshot; buckets of rules no longer configured are dropped, and tokens capped at today's max. */
  restore(saved: unknown): void {
    const parsed = SnapshotSchema.safeParse(saved);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AutomationStateError(`${issue.path.join('.') || 'root'}: ${issue.message}`);
    }
    this.#buckets.clear();
    for (const { rule: name, target, tokens, atMs } of parsed.data.buckets) {
      const rule = this.#rules.get(name);
      if (!rule) continue;
      this.#buckets.set(bucketKey(name, target), { rule: name, target, bucket: new TokenBucket(rule.rateLimit ?? DEFAULT_RATE_LIMIT, atMs, { tokens, atMs }) });
    }
  }

  #bucket(rule: AutomatedRule, target: string, tsMs: number): TokenBucket {
    const key = bucketKey(rule.name, target);
    let entry = this.#buckets.get(key);
    if (!entry) {
      entry = { rule: rule.name, target, bucket: new TokenBucket(rule.rateLimit ?? DEFAULT_RATE_LIMIT, tsMs) };
      this.#buckets.set(key, entry);
    }
    return entry.bucket;
  }
}

function bucketKey(rule: string, target: string): string {
  return `${rule}\u0000${target}`;
}
