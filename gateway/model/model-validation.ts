import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ModelSignatureError, ModelValidationError, type ValidationCheck } from './errors';
import { inspectOnnx, packWindows, ReferenceScorer, sha256Hex, type FeatureMap, type OnnxInspection } from '../../ml';
import { InputSpecSchema, ioProblems, openSession, OnnxRunner, type InputSpec, type RunnerOptionsInput } from './onnx-runner';
import type { ModelKeyring } from './model-signature';
import { compareScores } from './parity';

export const StageOptionsSchema = z
  .object({
    version: z.string().min(1).max(128).describe('Version name, unique among the slot\'s active and previous models, e.g. `v3` or `2025-06-01`.'),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
      .optional()
      .describe('Expected SHA-256 of the model bytes, hex; a mismatch is refused. Default: not checked.'),
    inputs: InputSpecSchema.optional().describe(
      'The input spec: ordered feature names and the input/output names. Default: read from a twinbed model\'s metadata (required for other models).',
    ),
    threshold: z.number().positive().finite().optional().describe('Anomaly threshold on the score. Default: the twinbed model\'s own (required for other models).'),
    signature: z
      .string()
      .min(1)
      .optional()
      .describe('Ed25519 signature of the model file\'s exact bytes, base64. Required when the gateway has trusted keys; default: none.'),
    keyId: z.string().min(1).max(128).optional().describe('Id of the trusted key that made `signature`. Default: any trusted key that verifies it.'),
  })
  .strict();

export type StageOptions = z.output<typeof StageOptionsSchema>;
export type StageOptionsInput = z.input<typeof StageOptionsSchema>;

/** Everything a validated model brings to the slot. */
export interface ValidatedModel {
  version: string;
  sha256: string;
  format: 'twinbed' | 'external';
  spec: InputSpec;
  threshold: number;
  fittedOn?: string;
  runner: OnnxRunner;
  /** Present for twinbed models: the TS reference from the file's own parameters. */
  reference?: ReferenceScorer;
  checks: ValidationCheck[];
}

export interface ValidationContext {
  /** Recent windows for the shadow run, oldest first. */
  recent: readonly FeatureMap[];
  requireShadowRun: boolean;
  parityTolerance: number;
  maxModelBytes: number;
  runner: RunnerOptionsInput;
  /** Keys a model must be signed with; none (or empty): no signature check. */
  keyring?: ModelKeyring | undefined;
}

/**
 * Runs the staging checks in order — read, signature, sha256, parse, spec, io, shadow, parity — and stops at the first
 * that fails (the later ones depend on it), throwing a ModelValidationError that carries every check run so far
 * (a ModelSignatureError for the signature). The signature is checked only when the gateway has trusted keys.
 */
export async function validateModel(source: string | Uint8Array, options: StageOptions, context: ValidationContext): Promise<ValidatedModel> {
  const checks: ValidationCheck[] = [];
  const fail = (check: ValidationCheck['check'], detail: string): never => {
    checks.push({ check, ok: false, detail });
    throw new ModelValidationError(options.version, checks);
  };
  const pass = (check: ValidationCheck['check'], detail: string): void => void checks.push({ check, ok: true, detail });

  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (error) {
      return fail('read', `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path on the gateway`);
    }
  } else {
    bytes = source;
  }
  if (bytes.length === 0) fail('read', 'the model is empty (0 bytes)');
  if (bytes.length > context.maxModelBytes) fail('read', `the model is ${bytes.length} bytes, over the ${context.maxModelBytes}-byte limit`);
  pass('read', `${bytes.length} bytes${typeof source === 'string' ? ` from ${source}` : ''}`);

  // Before anything else looks at the bytes: an unsigned parser input is exactly what signing exists to keep out.
  if (context.keyring && context.keyring.size > 0) {
    const signature = context.keyring.check(bytes, options.signature, options.keyId);
    checks.push(signature);
    if (!signature.ok) throw new ModelSignatureError(options.version, checks);
  } else if (options.signature !== undefined) {
    pass('signature', 'not checked: this gateway has no trusted keys (anomaly.trustedKeys)');
  }

  const sha256 = sha256Hex(bytes);
  if (options.sha256 === undefined) pass('sha256', `${sha256} (no expected value declared)`);
  else if (options.sha256.toLowerCase() !== sha256) fail('sha256', `the bytes hash to ${sha256}, expected ${options.sha256.toLowerCase()}: the file is corrupt or not the announced one`);
  else pass('sha256', `${sha256} as declared`);

  let inspection: OnnxInspection = { metadata: {} };
  try {
    inspection = inspectOnnx(bytes);
  } catch (error) {
    fail('parse', (error as Error).message);
  }
  const { twinbed } = inspection;
  let session;
  try {
    session = await openSession(bytes, context.runner);
  } catch (error) {
    return fail('parse', (error as Error).message);
  }
  pass('parse', `ONNX model loaded by ONNX Runtime (CPU)${twinbed ? `, twinbed ${twinbed.version || 'unversioned'}` : ', no twinbed metadata'}`);

  let spec: InputSpec;
  let threshold: number | undefined;
  try {
    spec = resolveSpec(options, inspection, fail);
    threshold = options.threshold ?? twinbed?.threshold;
    if (threshold === undefined) fail('spec', 'the model carries no twinbed threshold; declare `threshold` when staging it');
  } catch (error) {
    await session.release();
    throw error;
  }
  pass('spec', `${spec.features.length} features (${spec.features.join(', ')}), threshold ${threshold}${twinbed ? ' (twinbed model)' : ' (external model)'}`);

  const runner = new OnnxRunner(session, spec);
  try {
    const problems = ioProblems(session, spec);
    if (problems.length > 0) fail('io', problems.join('; '));
    pass('io', `input "${spec.input}" float32 [N, ${spec.features.length}], output "${spec.output}" float32 [N]`);
    const reference = twinbed ? new ReferenceScorer(twinbed.params) : undefined;
    await shadowRun(runner, reference, context, pass, fail);
    return {
      version: options.version,
      sha256,
      format: twinbed ? 'twinbed' : 'external',
      spec,
      threshold: threshold!,
      ...(twinbed ? { fittedOn: twinbed.fittedOn } : {}),
      runner,
      ...(reference ? { reference } : {}),
      checks,
    };
  } catch (error) {
    await runner.release();
    throw error;
  }
}

type Fail = (check: ValidationCheck['check'], detail: string) => never;
type Pass = (check: ValidationCheck['check'], detail: string) => void;

function resolveSpec(options: StageOptions, inspection: OnnxInspection, fail: Fail): InputSpec {
  const fromModel = inspection.twinbed?.params.featureNames;
  if (options.inputs) {
    if (fromModel && fromModel.join('\u0000') !== options.inputs.features.join('\u0000')) {
      fail('spec', `the declared features [${options.inputs.features.join(', ')}] differ from the model's own [${fromModel.join(', ')}] (order matters)`);
    }
    return options.inputs;
  }
  if (!fromModel) return fail('spec', 'the model carries no twinbed metadata; declare `inputs.features`, its ordered feature names');
  return InputSpecSchema.parse({ features: fromModel });
}

/** Scores the recent windows: every score must be finite and, for a twinbed model, match the reference. */
async function shadowRun(runner: OnnxRunner, reference: ReferenceScorer | undefined, context: ValidationContext, pass: Pass, fail: Fail): Promise<void> {
  const { flat, n, skipped, firstMissing } = packWindows(context.recent, runner.spec.features);
  if (n === 0) {
    const why = context.recent.length === 0 ? 'no recent windows yet' : `none of the ${skipped} recent windows has every input (the first lacks ${firstMissing.join(', ')})`;
    if (context.requireShadowRun || context.recent.length > 0) fail('shadow', `${why}; the model cannot be tried on this gateway's data`);
    pass('shadow', `skipped: ${why}`);
    return;
  }
  let scores: Float32Array;
  try {
    scores = await runner.scoreBatch(flat, n);
  } catch (error) {
    return fail('shadow', `running ${n} recent windows failed: ${(error as Error).message}`);
  }
  const bad = scores.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) {
    const count = scores.filter((s) => !Number.isFinite(s)).length;
    fail('shadow', `${count} of ${n} scores on recent windows are not finite (first: ${scores[bad]} at window ${bad}); the model would blind the detector`);
  }
  const max = scores.reduce((a, b) => Math.max(a, b), -Infinity);
  pass('shadow', `${n} recent windows scored, all finite (max ${max.toPrecision(4)})${skipped > 0 ? `; ${skipped} lacked inputs` : ''}`);
  if (!reference) return;
  const parity = compareScores(scores, reference.scoreBatch(flat, n), context.parityTolerance);
  const summary = `max |Δ| ${parity.maxAbsDiff.toExponential(2)}, scaled ${parity.maxScaledDiff.toExponential(2)} over ${n} windows (tolerance ${context.parityTolerance})`;
  if (!parity.withinTolerance) fail('parity', `the ONNX scores differ from the TypeScript reference: ${summary}; the graph does not compute what its parameters say`);
  pass('parity', summary);
}
