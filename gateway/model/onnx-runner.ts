import { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { ModelFormatError, ModelRunError } from './errors';
import { INPUT_NAME, OUTPUT_NAME } from '../../ml';

/** What a model must accept and return; a model that does not match is refused before it runs. */
export const InputSpecSchema = z
  .object({
    features: z
      .array(z.string().min(1))
      .min(1)
      .describe('Feature names in input order: column i of the input is the window\'s features[i].')
      .refine((names) => new Set(names).size === names.length, 'each feature may be named once'),
    input: z.string().min(1).default(INPUT_NAME).describe(`Name of the model input, float32 [N, features]. Default \`${INPUT_NAME}\`.`),
    output: z.string().min(1).default(OUTPUT_NAME).describe(`Name of the output, float32 [N] anomaly scores. Default \`${OUTPUT_NAME}\`.`),
  })
  .strict();

export type InputSpec = z.output<typeof InputSpecSchema>;
export type InputSpecInput = z.input<typeof InputSpecSchema>;

export const RunnerOptionsSchema = z
  .object({
    intraOpThreads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe('Threads ONNX Runtime may use inside one operator. Default 1: a window is too small to split, and the edge CPU also runs ingestion.'),
  })
  .strict();

export type RunnerOptionsInput = z.input<typeof RunnerOptionsSchema>;

/** Opens an ONNX Runtime session on the CPU; bytes that ONNX Runtime cannot load are a ModelFormatError. */
export async function openSession(bytes: Uint8Array, optionsInput: RunnerOptionsInput = {}): Promise<InferenceSession> {
  const options = RunnerOptionsSchema.parse(optionsInput);
  try {
    return await InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (cause) {
    throw new ModelFormatError(`ONNX Runtime cannot load the model: ${firstLine((cause as Error).message)}`, { cause });
  }
}

/** How the session's declared input and output differ from the spec; empty when they match. */
export function ioProblems(session: InferenceSession, spec: InputSpec): string[] {
  const problems: string[] = [];
  const d = spec.features.length;
  const input = session.inputMetadata.find((m) => m.name === spec.input);
  if (!input) {
    problems.push(`the model's inputs are ${names(session.inputMetadata)}, the spec expects "${spec.input}"`);
  } else if (!input.isTensor || input.type !== 'float32') {
    problems.push(`input "${spec.input}" is ${input.isTensor ? input.type : 'not a tensor'}, expected float32`);
  } else if (input.shape.length !== 2 || !(isDynamic(input.shape[0]) || input.shape[0] === 1) || input.shape[1] !== d) {
    problems.push(`input "${spec.input}" has shape [${input.shape.join(', ')}], expected [N, ${d}] for the ${d} declared features`);
  }
  if (session.inputMetadata.length > 1) problems.push(`the model has ${session.inputMetadata.length} inputs (${names(session.inputMetadata)}); it must take only "${spec.input}"`);
  const output = session.outputMetadata.find((m) => m.name === spec.output);
  if (!output) {
    problems.push(`the model's outputs are ${names(session.outputMetadata)}, the spec expects "${spec.output}"`);
  } else if (!output.isTensor || output.type !== 'float32') {
    problems.push(`output "${spec.output}" is ${output.isTensor ? output.type : 'not a tensor'}, expected float32`);
  } else if (output.shape.length !== 1 || !(isDynamic(output.shape[0]) || output.shape[0] === 1)) {
    problems.push(`output "${spec.output}" has shape [${output.shape.join(', ')}], expected [N], one score per window`);
  }
  return problems;
}

/** Runs an anomaly model on feature vectors: `features` float32 [N, d] in, `score` float32 [N] out. */
export class OnnxRunner {
  readonly spec: InputSpec;
  readonly #session: InferenceSession;
  /** Models declared with a fixed batch of 1 run window by window. */
  readonly #singleWindow: boolean;

  constructor(session: InferenceSession, spec: InputSpec) {
    this.#session = session;
    this.spec = spec;
    const input = session.inputMetadata.find((m) => m.name === spec.input);
    this.#singleWindow = input?.isTensor === true && input.shape[0] === 1;
  }

  /** Opens `bytes` and checks its I/O against `spec`; a mismatch is a ModelFormatError listing every problem. */
  static async load(bytes: Uint8Array, specInput: InputSpecInput, options: RunnerOptionsInput = {}): Promise<OnnxRunner> {
    const spec = InputSpecSchema.parse(specInput);
    const session = await openSession(bytes, options);
    const problems = ioProblems(session, spec);
    if (problems.length > 0) {
      await session.release();
      throw new ModelFormatError(`the model does not match its declared spec: ${problems.join('; ')}`);
    }
    return new OnnxRunner(session, spec);
  }

  get featureCount(): number {
    return this.spec.features.length;
  }

  /** Scores n windows packed row-major in `flat` (n·d float32 values). */
  async scoreBatch(flat: Float32Array, n: number): Promise<Float32Array> {
    const d = this.featureCount;
    if (flat.length !== n * d) throw new RangeError(`scoreBatch needs ${n}·${d} = ${n * d} values, got ${flat.length}`);
    if (n === 0) return new Float32Array(0);
    if (!this.#singleWindow || n === 1) return this.#run(flat, n);
    const out = new Float32Array(n);
    for (let r = 0; r < n; r++) out.set(await this.#run(flat.subarray(r * d, (r + 1) * d), 1), r);
    return out;
  }

  async scoreOne(vector: ArrayLike<number>): Promise<number> {
    return (await this.scoreBatch(Float32Array.from(vector), 1))[0]!;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }

  async #run(flat: Float32Array, n: number): Promise<Float32Array> {
    const d = this.featureCount;
    const results = await this.#session.run({ [this.spec.input]: new Tensor('float32', flat, [n, d]) });
    const scores = results[this.spec.output];
    if (!scores || !(scores.data instanceof Float32Array) || scores.data.length !== n) {
      throw new ModelRunError(`output "${this.spec.output}" returned ${scores?.data.length ?? 0} values for ${n} windows; expected one float32 score per window`);
    }
    return scores.data;
  }
}

function isDynamic(dim: number | string | undefined): boolean {
  return typeof dim === 'string' || (typeof dim === 'number' && dim < 0);
}

function names(metadata: readonly InferenceSession.ValueMetadata[]): string {
  return metadata.length === 0 ? 'none' : metadata.map((m) => `"${m.name}"`).join(', ');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
