import path from 'node:path';
import { z } from 'zod';
import { IdSchema, ThresholdRuleSchema } from '../protocol';
import { DetectorOptionsSchema, InputSpecSchema, resolveTrustedKeyPaths, TrustedKeysSchema } from './model';

/** A local action: when an event is raised at the edge, send a command to the device without a cloud round trip. */
export const ActionSchema = z
  .object({
    on: z
      .string()
      .min(1)
      .describe('What triggers it: the name of a local rule, or `anomaly` for the anomaly model. Required.'),
    action: z.string().min(1).describe('Command action sent to the device, e.g. `slow-down`, `stop`. Required.'),
    args: z.record(z.string(), z.unknown()).optional().describe('Command arguments, e.g. { speedRpm: 740, rampS: 5 }. Default none.'),
    device: IdSchema.optional().describe('Only for events of this device. Default: any; the command goes to the device that raised the event.'),
  })
  .strict();

/** The edge anomaly model: which sensors it scores, the model file and the debounce. */
export const AnomalySchema = z
  .object({
    sensors: z.array(IdSchema).min(1).default(['accel']).describe('Sensors whose feature windows the model scores. Default [accel].'),
    model: z.string().min(1).optional().describe('ONNX model to activate at start: from `twinbed model fit`, or any model that maps float32 [N, features] to scores [N] (declare `inputs` and `threshold`). Default: none until one is staged.'),
    inputs: InputSpecSchema.optional().describe('Input spec of a model without twinbed metadata: its ordered feature names, input and output names. Default: read from a twinbed model.'),
    version: z.string().min(1).max(128).optional().describe('Version name of `model`. Default: the version a twinbed model carries, else the file name.'),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits').optional().describe('Expected SHA-256 of `model`; a mismatch refuses to start. Default: not checked.'),
    modelDir: z.string().min(1).optional().describe('Folder `model.stage` commands may load files from. Default: none (stage by bytes only).'),
    trustedKeys: TrustedKeysSchema.optional().describe(
      'Ed25519 public keys models must be signed with: `model.stage` then needs args.signature (base64, over the exact file bytes) and refuses an unsigned model, an unknown keyId or a bad signature (E_MODEL_SIGNATURE); `model` needs its signature beside it in `<model>.sig`. Default: none (models are not signature-checked).',
    ),
    ...DetectorOptionsSchema.shape,
  })
  .strict();

export const EdgeRulesShape = {
  rules: z.array(ThresholdRuleSchema).default([]).describe('Local threshold rules on feature windows; they raise edge events. Default none.'),
  anomaly: AnomalySchema.optional().describe('Local anomaly detection with an ONNX model. Default: off.'),
  actions: z.array(ActionSchema).default([]).describe('Commands the gateway sends to a device when a local event is raised. Default none.'),
} as const;

export type ActionConfig = z.output<typeof ActionSchema>;
export type AnomalyConfig = z.output<typeof AnomalySchema>;

/** The anomaly section with its model file, folder and key files resolved against `dir`: paths in a file are relative to it. */
export function resolveAnomalyPaths(anomaly: AnomalyConfig, dir: string): AnomalyConfig {
  return {
    ...anomaly,
    ...(anomaly.model !== undefined ? { model: path.resolve(dir, anomaly.model) } : {}),
    ...(anomaly.modelDir !== undefined ? { modelDir: path.resolve(dir, anomaly.modelDir) } : {}),
    ...(anomaly.trustedKeys !== undefined ? { trustedKeys: resolveTrustedKeyPaths(anomaly.trustedKeys, dir) } : {}),
  };
}
