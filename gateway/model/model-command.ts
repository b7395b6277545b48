import path from 'node:path';
import { z } from 'zod';
import { base64ToBytes, formatFieldPath, TwinbedError, type CommandV1 } from '../../protocol';
import { ModelCommandError, ModelValidationError, type ValidationCheck } from './errors';
import type { ModelSlot, ModelSummary, SlotStatus } from './model-slot';
import { StageOptionsSchema } from './model-validation';

/** The actions handleModelCommand serves. */
export const MODEL_ACTIONS = ['model.stage', 'model.activate', 'model.rollback', 'model.status'] as const;
export type ModelAction = (typeof MODEL_ACTIONS)[number];

const StageArgsSchema = StageOptionsSchema.extend({
  path: z.string().min(1).optional().describe('Model file on the gateway, relative to its model folder.'),
  bytes: z.string().min(1).optional().describe('The model file itself, base64.'),
})
  .refine((a) => (a.path === undefined) !== (a.bytes === undefined), { message: 'give exactly one of path (a file on the gateway) or bytes (base64)' });

const ActivateArgsSchema = z
  .object({ version: z.string().min(1).optional().describe('Activate only if the staged model has this version.') })
  .strict();

export interface ModelCommandOptions {
  /** Folder a `path` in model.stage resolves against and must stay inside. Unset: staging by path is refused. */
  modelDir?: string;
}

export type ModelCommandResult =
  | { id: string; action: string; ok: true; model?: ModelSummary; status: SlotStatus }
  | { id: string; action: string; ok: false; code: string; error: string; reasons?: ValidationCheck[]; status: SlotStatus };

/**
 * Serves a `cmd` message for the model slot (model.stage / activate / rollback / status) and returns the reply.
 * Refusals and bad arguments come back as `ok: false` with the error's code and message; only bugs throw.
 */
export async function handleModelCommand(slot: ModelSlot, command: CommandV1, options: ModelCommandOptions = {}): Promise<ModelCommandResult> {
  const { id, action } = command;
  try {
    const model = await dispatch(slot, command, options);
    return { id, action, ok: true, ...(model ? { model } : {}), status: slot.status() };
  } catch (error) {
    if (!(error instanceof TwinbedError)) throw error;
    return {
      id,
      action,
      ok: false,
      code: error.code,
      error: error.message,
      ...(error instanceof ModelValidationError ? { reasons: error.reasons } : {}),
      status: slot.status(),
    };
  }
}

async function dispatch(slot: ModelSlot, command: CommandV1, options: ModelCommandOptions): Promise<ModelSummary | undefined> {
  switch (command.action) {
    case 'model.stage': {
      const args = parseArgs(StageArgsSchema, command);
      const { path: file, bytes, ...stageOptions } = args;
      const source = bytes !== undefined ? decodeBytes(bytes) : resolveModelPath(file!, options.modelDir);
      return slot.stage(source, stageOptions);
    }
    case 'model.activate':
      return slot.activate(parseArgs(ActivateArgsSchema, command).version);
    case 'model.rollback':
      parseArgs(z.object({}).strict(), command);
      return slot.rollback();
    case 'model.status':
      return undefined;
    default:
      throw new ModelCommandError(`unknown model command "${command.action}"; use one of ${MODEL_ACTIONS.join(', ')}`);
  }
}

function parseArgs<T extends z.ZodType>(schema: T, command: CommandV1): z.output<T> {
  const result = schema.safeParse(command.args ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = formatFieldPath(['args', ...issue.path]);
  throw new ModelCommandError(`${command.action} ${where}: ${issue.message}`);
}

function decodeBytes(text: string): Uint8Array {
  try {
    return base64ToBytes(text);
  } catch {
    throw new ModelCommandError('args.bytes is not valid base64; send the model file base64-encoded');
  }
}

/** A command may only name files inside the model folder: it arrives over the network. */
function resolveModelPath(file: string, modelDir: string | undefined): string {
  if (modelDir === undefined) {
    throw new ModelCommandError('staging by path is off on this gateway (no model folder configured); send the model as args.bytes');
  }
  const root = path.resolve(modelDir);
  const resolved = path.resolve(root, file);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new ModelCommandError(`args.path ${file} is outside the model folder ${root}; copy the model there first`);
  }
  return resolved;
}
