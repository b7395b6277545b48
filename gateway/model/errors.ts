import { TwinbedError } from '../../protocol';

/** Fitting could not produce a usable model from the healthy windows given. */
export class ModelFitError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_FIT', message, options);
  }
}

/** One check a staged model went through: what was checked, whether it held, and what was found. */
export interface ValidationCheck {
  check: 'read' | 'sha256' | 'parse' | 'spec' | 'io' | 'shadow' | 'parity';
  ok: boolean;
  detail: string;
}

/** A model refused before activation; `checks` holds every check run, the failed ones give the reasons. */
export class ModelValidationError extends TwinbedError {
  readonly version: string;
  readonly checks: readonly ValidationCheck[];

  constructor(version: string, checks: readonly ValidationCheck[]) {
    const reasons = checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`);
    super('E_MODEL_INVALID', `model ${version} refused; ${reasons.join('; ')}`);
    this.version = version;
    this.checks = checks;
  }

  /** The failed checks only. */
  get reasons(): ValidationCheck[] {
    return this.checks.filter((c) => !c.ok);
  }
}

/** A features window that cannot be turned into the model's input vector. */
export class FeatureVectorError extends TwinbedError {
  readonly missing: readonly string[];
  readonly nonFinite: readonly string[];

  constructor(where: string, missing: readonly string[], nonFinite: readonly string[], modelVersion?: string) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`lacks ${missing.join(', ')}`);
    if (nonFinite.length > 0) parts.push(`has non-finite ${nonFinite.join(', ')}`);
    const model = modelVersion === undefined ? 'the model' : `model ${modelVersion}`;
    super(
      'E_MODEL_FEATURES',
      `${where} ${parts.join(' and ')}, which ${model} needs as input; compute these features at the gateway or stage a model fitted on the features it sends`,
    );
    this.missing = missing;
    this.nonFinite = nonFinite;
  }
}

/** A slot operation that cannot run in the slot's current state (nothing staged, no previous version, …). */
export class ModelSlotError extends TwinbedError {}

/** A validated model that misbehaved at run time (a non-finite score, a wrong output length). */
export class ModelRunError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_RUN', message, options);
  }
}

/** Bytes that are not an ONNX model, or a model whose twinbed metadata and parameters disagree. */
export class ModelFormatError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_FORMAT', message, options);
  }
}

/** A model command (cmd message) with an unknown action or bad arguments. */
export class ModelCommandError extends TwinbedError {
  constructor(message: string) {
    super('E_MODEL_COMMAND', message);
  }
}
