import { z } from 'zod';
import { RolloutSpecSchema } from './rollout-spec';

// What a rollout keeps in the StateStore, validated on the way back in: a restarted cloud must not act on a
// half-understood record.

export const GATEWAY_PHASES = ['pending', 'staging', 'activating', 'observing', 'finished', 'rolled-back', 'error'] as const;
export type GatewayPhase = (typeof GATEWAY_PHASES)[number];

export const ROLLOUT_STATES = ['running', 'paused', 'finished', 'cancelled'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** Phases that count against the error threshold. */
export const FAILED_PHASES: ReadonlySet<GatewayPhase> = new Set(['rolled-back', 'error']);

const GatewayRecordSchema = z
  .object({
    gateway: z.string().min(1),
    /** Index into the rollout's groups, from 0. */
    groupIndex: z.number().int().nonnegative(),
    phase: z.enum(GATEWAY_PHASES),
    /** Windows scored by the new model since activation, and how many of them were over threshold. */
    windows: z.number().int().nonnegative(),
    over: z.number().int().nonnegative(),
    overRate: z.number().min(0).max(1).optional(),
    reason: z.string().optional(),
    /** The command whose reply is awaited. */
    commandId: z.string().min(1).optional(),
    /** Staged while the rollout was paused: model.activate is sent on resume. */
    staged: z.boolean().optional(),
  })
  .strict();

const GroupRecordSchema = z
  .object({
    gateways: z.array(z.string().min(1)),
    started: z.boolean(),
    /** Failures an operator accepted by resuming: they count as done and no longer against the error threshold. */
    accepted: z.number().int().nonnegative(),
  })
  .strict();

export const RolloutRecordSchema = z
  .object({
    v: z.literal(1),
    spec: RolloutSpecSchema,
    state: z.enum(ROLLOUT_STATES),
    /** Index of the latest group started, from 0. */
    groupIndex: z.number().int().nonnegative(),
    reason: z.string().optional(),
    startedMs: z.number().finite(),
    updatedMs: z.number().finite(),
    groups: z.array(GroupRecordSchema),
    gateways: z.array(GatewayRecordSchema),
  })
  .strict();

export const RolloutIndexSchema = z.array(z.string().min(1));

export type GatewayRecord = z.output<typeof GatewayRecordSchema>;
export type GroupRecord = z.output<typeof GroupRecordSchema>;
export type RolloutRecord = z.output<typeof RolloutRecordSchema>;

/** One gateway's progress in a rollout. */
export interface GatewayRolloutStatus {
  gateway: string;
  /** Its group, from 1. */
  group: number;
  phase: GatewayPhase;
  /** Live windows scored by the new model so far. */
  windows: number;
  /** Fraction of `windows` over the model's threshold, once judged. */
  overRate?: number;
  reason?: string;
}

/** A rollout as an operator sees it. */
export interface RolloutStatus {
  id: string;
  version: string;
  state: RolloutState;
  /** The latest group started, from 1, of `groups`. */
  group: number;
  groups: number;
  /** Why it paused, finished or was cancelled. */
  reason?: string;
  startedMs: number;
  updatedMs: number;
  gateways: GatewayRolloutStatus[];
}

export function statusOf(record: RolloutRecord): RolloutStatus {
  return {
    id: record.spec.id,
    version: record.spec.version,
    state: record.state,
    group: record.groupIndex + 1,
    groups: record.groups.length,
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    startedMs: record.startedMs,
    updatedMs: record.updatedMs,
    gateways: record.gateways.map((g) => ({
      gateway: g.gateway,
      group: g.groupIndex + 1,
      phase: g.phase,
      windows: g.windows,
      ...(g.overRate !== undefined ? { overRate: g.overRate } : {}),
      ...(g.reason !== undefined ? { reason: g.reason } : {}),
    })),
  };
}
