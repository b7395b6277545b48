import { TwinbedError } from '../../protocol';

// Fitting and format errors belong to ml/, where models are built and read; the gateway re-exports them.
export { ModelFitError, FeatureVectorError, ModelFormatError } from '../../ml';

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

/** A slot operation that cannot run in the slot's current state (nothing staged, no previous version, …). */
export class ModelSlotError extends TwinbedError {}

/** A validated model that misbehaved at run time (a non-finite score, a wrong output length). */
export class ModelRunError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_RUN', message, options);
  }
}

/** A model command (cmd message) with an unknown action or bad arguments. */
export class ModelCommandError extends TwinbedError {
  constructor(message: string) {
    super('E_MODEL_COMMAND', message);
  }
}
