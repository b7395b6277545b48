import { z } from 'zod';
import { ModelSlotError, ModelValidationError, type ValidationCheck } from './errors';
import { packWindows, type FeatureMap } from '../../ml';
import { RunnerOptionsSchema } from './onnx-runner';
import { compareWithReference, PARITY_TOLERANCE, type BatchScorer, type ParityReport } from './parity';
import type { ModelKeyring } from './model-signature';
import { RingBuffer } from './ring-buffer';
import { StageOptionsSchema, validateModel, type StageOptionsInput, type ValidatedModel } from './model-validation';

export const ModelSlotOptionsSchema = z
  .object({
    recentWindows: z.number().int().min(1).max(100_000).default(256).describe('Latest feature windows kept for shadow runs of staged models. Default 256.'),
    requireShadowRun: z
      .boolean()
      .default(false)
      .describe('Refuse to stage a model before any window has arrived to try it on. Default false: a fresh gateway\'s first model has nothing to run on.'),
    parityTolerance: z
      .number()
      .positive()
      .default(PARITY_TOLERANCE)
      .describe('Largest |onnx − reference| / max(1, |reference|) accepted in the shadow run of a twinbed model. Default 1e-5.'),
    maxModelBytes: z.number().int().positive().default(64 * 1024 * 1024).describe('Largest model accepted, bytes. Default 64 MiB.'),
    runner: RunnerOptionsSchema.prefault({}).describe('ONNX Runtime session options.'),
  })
  .strict();

export type ModelSlotOptionsInput = z.input<typeof ModelSlotOptionsSchema>;

/** A model as the detector uses it. Immutable: a swap replaces the object, never its fields. */
export interface SlotModel extends BatchScorer {
  readonly version: string;
  readonly featureNames: readonly string[];
  readonly threshold: number;
}

/** A model pinned for one unit of work; its session stays open until release(), even if it is swapped out meanwhile. */
export interface ModelLease {
  readonly model: SlotModel;
  release(): void;
}

/** Where the detector gets its model from and tells about the windows it sees. */
export interface ModelSource {
  /** The active model, pinned; undefined while none is active. */
  acquire(): ModelLease | undefined;
  observe(features: FeatureMap): void;
}

export interface ModelSummary {
  version: string;
  sha256: string;
  format: 'twinbed' | 'external';
  features: string[];
  threshold: number;
  fittedOn?: string;
  checks: ValidationCheck[];
}

export interface SlotStatus {
  active: ModelSummary | null;
  staged: ModelSummary | null;
  previous: ModelSummary | null;
  /** The latest stage attempt, refused ones included. */
  lastStage: { version: string; ok: boolean; checks: ValidationCheck[] } | null;
  recentWindows: number;
}

interface Entry {
  validated: ValidatedModel;
  model: SlotModel;
  leases: number;
  retired: boolean;
}

/**
 * A versioned model slot: stage (validate) → activate (hot swap) → rollback. Windows in flight hold a lease on
 * the model they started with, so a swap drops none of them; a swapped-out session closes when its last lease ends.
 */
export class ModelSlot implements ModelSource {
  readonly #options: z.output<typeof ModelSlotOptionsSchema>;
  readonly #recent: RingBuffer<FeatureMap>;
  readonly #keyring: ModelKeyring | undefined;
  #active: Entry | undefined;
  #staged: Entry | undefined;
  #previous: Entry | undefined;
  #lastStage: SlotStatus['lastStage'] = null;
  #stageQueue: Promise<unknown> = Promise.resolve();
  readonly #closing = new Set<Promise<void>>();
  readonly #closeFailures: unknown[] = [];

  /** `keyring`: the keys staged models must be signed with. Default: none, models are not signature-checked. */
  constructor(options: ModelSlotOptionsInput = {}, keyring?: ModelKeyring) {
    this.#options = ModelSlotOptionsSchema.parse(options);
    this.#recent = new RingBuffer(this.#options.recentWindows);
    this.#keyring = keyring;
  }

  observe(features: FeatureMap): void {
    this.#recent.push(features);
  }

  /**
   * Validates a model (file path or bytes) and makes it the staged one, replacing any model staged before.
   * Refusals throw ModelValidationError with every check's result; stages run one at a time.
   */
  stage(source: string | Uint8Array, optionsInput: StageOptionsInput): Promise<ModelSummary> {
    const run = this.#stageQueue.then(() => this.#stage(source, optionsInput));
    this.#stageQueue = run.catch(() => undefined); // the caller gets the error through `run`
    return run;
  }

  async #stage(source: string | Uint8Array, optionsInput: StageOptionsInput): Promise<ModelSummary> {
    const options = StageOptionsSchema.parse(optionsInput);
    let validated: ValidatedModel;
    try {
      // Validation first, signature check included: a tampered copy is refused for what it is, whatever its version.
      validated = await validateModel(source, options, { ...this.#options, recent: this.#recent.toArray(), keyring: this.#keyring });
    } catch (error) {
      if (error instanceof ModelValidationError) this.#lastStage = { version: options.version, ok: false, checks: [...error.checks] };
      throw error;
    }
    for (const [role, entry] of [['active', this.#active], ['previous', this.#previous]] as const) {
      if (entry?.model.version === validated.version) {
        await validated.runner.release();
        throw new ModelSlotError('E_MODEL_VERSION_EXISTS', `version ${validated.version} is already the ${role} model; give the new model a new version`);
      }
    }
    this.#lastStage = { version: options.version, ok: true, checks: validated.checks };
    if (this.#staged) this.#retire(this.#staged);
    this.#staged = entryOf(validated);
    return summaryOf(this.#staged);
  }

  /** Makes the staged model active; the active one becomes previous. `expectVersion` guards against activating a surprise. */
  activate(expectVersion?: string): ModelSummary {
    const staged = this.#staged;
    if (!staged) throw new ModelSlotError('E_MODEL_NOTHING_STAGED', 'no model is staged; stage one first (model.stage), then activate it');
    if (expectVersion !== undefined && staged.model.version !== expectVersion) {
      throw new ModelSlotError('E_MODEL_VERSION_MISMATCH', `the staged model is ${staged.model.version}, not ${expectVersion}; stage ${expectVersion} again or activate ${staged.model.version}`);
    }
    if (this.#previous) this.#retire(this.#previous);
    this.#previous = this.#active;
    this.#active = staged;
    this.#staged = undefined;
    return summaryOf(staged);
  }

  /** Swaps back to the previous model; the rolled-back one becomes previous, so a second rollback undoes the first. */
  rollback(): ModelSummary {
    const previous = this.#previous;
    if (!previous) {
      const active = this.#active ? ` (active: ${this.#active.model.version})` : '';
      throw new ModelSlotError('E_MODEL_NO_PREVIOUS', `there is no previous model to roll back to${active}; stage and activate a known-good version instead`);
    }
    this.#previous = this.#active;
    this.#active = previous;
    return summaryOf(previous);
  }

  acquire(): ModelLease | undefined {
    const entry = this.#active;
    if (!entry) return undefined;
    entry.leases++;
    let released = false;
    return {
      model: entry.model,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        if (entry.retired && entry.leases === 0) this.#close(entry);
      },
    };
  }

  /**
   * Runs the active model and its TypeScript reference on `windows` (default: the recent ones) and compares the
   * scores; windows lacking an input are left out. Only twinbed models carry the parameters a reference needs.
   */
  async compare(windows: readonly FeatureMap[] = this.#recent.toArray()): Promise<ParityReport> {
    const entry = this.#active;
    if (!entry) throw new ModelSlotError('E_MODEL_NO_ACTIVE', 'no model is active; stage one (model.stage) and activate it (model.activate)');
    const { reference } = entry.validated;
    if (!reference) {
      throw new ModelSlotError('E_MODEL_NO_REFERENCE', `model ${entry.model.version} is external (no twinbed parameters), so there is no TypeScript reference to compare with`);
    }
    const lease = this.acquire()!;
    try {
      const { flat, n } = packWindows(windows, lease.model.featureNames);
      return await compareWithReference(lease.model, reference, flat, n, this.#options.parityTolerance);
    } finally {
      lease.release();
    }
  }

  status(): SlotStatus {
    const view = (entry: Entry | undefined): ModelSummary | null => (entry ? summaryOf(entry) : null);
    return {
      active: view(this.#active),
      staged: view(this.#staged),
      previous: view(this.#previous),
      lastStage: this.#lastStage,
      recentWindows: this.#recent.size,
    };
  }

  /** Closes every session (after the leases in flight end); throws the first close failure, if any. */
  async close(): Promise<void> {
    await this.#stageQueue;
    for (const entry of [this.#active, this.#staged, this.#previous]) if (entry) this.#retire(entry);
    this.#active = this.#staged = this.#previous = undefined;
    while (this.#closing.size > 0) await Promise.all(this.#closing);
    if (this.#closeFailures.length > 0) throw this.#closeFailures[0];
  }

  #retire(entry: Entry): void {
    if (entry.retired) return;
    entry.retired = true;
    if (entry.leases === 0) this.#close(entry);
  }

  #close(entry: Entry): void {
    const closing = entry.validated.runner.release().catch((error: unknown) => void this.#closeFailures.push(error));
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }
}

function entryOf(validated: ValidatedModel): Entry {
  const { runner } = validated;
  const model: SlotModel = {
    version: validated.version,
    featureNames: validated.spec.features,
    threshold: validated.threshold,
    scoreBatch: (flat, n) => runner.scoreBatch(flat, n),
  };
  return { validated, model, leases: 0, retired: false };
}

function summaryOf(entry: Entry): ModelSummary {
  const v = entry.validated;
  return {
    version: v.version,
    sha256: v.sha256,
    format: v.format,
    features: [...v.spec.features],
    threshold: v.threshold,
    ...(v.fittedOn !== undefined ? { fittedOn: v.fittedOn } : {}),
    checks: v.checks,
  };
}
