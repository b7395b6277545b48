import { z } from 'zod';
import type { Cloud } from '../../cloud';
import { formatFieldPath, IdSchema } from '../../protocol';

// The steps a scenario takes on the embedded cloud: what an ML engineer does in the model registry, on the timeline.

const TrainArgsSchema = z
  .object({
    version: z.string().min(1).optional(),
    bump: z.enum(['major', 'minor', 'patch']).optional(),
    sensor: IdSchema.default('accel'),
    devices: z.array(IdSchema).min(1).optional(),
    fromS: z.number().nonnegative(),
    toS: z.number().positive(),
    fit: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const RolloutArgsSchema = z
  .object({
    id: IdSchema,
    version: z.string().min(1).optional(),
    groups: z.array(z.record(z.string(), z.unknown())).min(1).default([{}]),
    successThreshold: z.number().optional(),
    errorThreshold: z.number().optional(),
    falseAlarm: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const StageArgsSchema = z.object({ gateway: IdSchema, version: z.string().min(1).optional(), tamper: z.boolean().default(false) }).strict();
const RolloutIdSchema = z.object({ id: IdSchema, reason: z.string().optional() }).strict();

/** The cloud step actions. */
export const CLOUD_ACTIONS = ['model.train', 'model.rollout', 'model.stage', 'rollout.resume', 'rollout.cancel'] as const;

/** Carries out one cloud step; returns its outcome for the report, a refusal included (the run goes on). */
export async function cloudStep(cloud: Cloud, action: string, args: Record<string, unknown>, startMs: number): Promise<string> {
  if (!(CLOUD_ACTIONS as readonly string[]).includes(action)) return `the embedded cloud does not take "${action}"; it takes ${CLOUD_ACTIONS.join(', ')}`;
  const models = cloud.models;
  if (!models) return `the embedded cloud has no model registry: set cloud.models: true to ${action}`;
  const parse = <S extends z.ZodType>(schema: S): z.output<S> | string => {
    const result = schema.safeParse(args);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    return `${action} ${formatFieldPath(['args', ...issue.path])}: ${issue.message}`;
  };
  const latest = async () => (await models.registry.list()).at(-1)?.version;
  try {
    switch (action) {
      case 'model.train': {
        const a = parse(TrainArgsSchema);
        if (typeof a === 'string') return a;
        const record = await models.train({
          sensor: a.sensor,
          fromMs: startMs + a.fromS * 1000,
          toMs: startMs + a.toS * 1000,
          ...(a.devices ? { devices: a.devices } : {}),
          ...(a.version ? { version: a.version } : {}),
          ...(a.bump ? { bump: a.bump } : {}),
          ...(a.fit ? { fit: a.fit } : {}),
        });
        const windows = (record.manifest as { stats?: { windows?: number } }).stats?.windows;
        return `trained ${record.version} on ${windows ?? '?'} windows (${record.trainedOn}), sha256 ${record.sha256.slice(0, 12)}…, signed by ${record.keyId}`;
      }
      case 'model.rollout': {
        const a = parse(RolloutArgsSchema);
        if (typeof a === 'string') return a;
        const version = a.version ?? (await latest());
        if (!version) return 'model.rollout: no model is registered yet; train one first (model.train)';
        const status = await models.rollout({ ...a, version } as never);
        const first = status.gateways.filter((g) => g.group === 1).map((g) => g.gateway);
        return `rollout ${status.id} of ${version} started: group 1 of ${status.groups} (${first.join(', ') || 'empty'})`;
      }
      case 'model.stage': {
        const a = parse(StageArgsSchema);
        if (typeof a === 'string') return a;
        const version = a.version ?? (await latest());
        if (!version) return 'model.stage: no model is registered yet; train one first (model.train)';
        const id = await models.stage(a.gateway, version, { tamper: a.tamper, actor: 'scenario' });
        return `sent ${a.tamper ? 'a tampered copy of ' : ''}${version} to ${a.gateway} (command ${id})`;
      }
      case 'rollout.resume': {
        const a = parse(RolloutIdSchema);
        if (typeof a === 'string') return a;
        const status = await models.resume(a.id);
        return `rollout ${a.id} ${status.state}, group ${status.group} of ${status.groups}`;
      }
      case 'rollout.cancel': {
        const a = parse(RolloutIdSchema);
        if (typeof a === 'string') return a;
        await models.cancel(a.id, a.reason);
        return `rollout ${a.id} cancelled`;
      }
      default:
        return `the embedded cloud does not take "${action}"; it takes ${CLOUD_ACTIONS.join(', ')}`;
    }
  } catch (error) {
    // A refusal (too few windows, an unknown gateway) is the step's outcome, as a device's refusal is.
    return `${action} refused: ${(error as Error).message}`;
  }
}
