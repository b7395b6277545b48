import { TwinbedError } from '../../protocol';

// Fitting and format errors belong to ml/, where models are built and read; the gateway re-exports them.
export { ModelFitError, FeatureVectorError, ModelFormatError } from '../../ml';

/** One check a staged model went through: what was checked, whether it held, and what was found. */
export interface ValidationCheck {
  check: 'read' | 'signature' | 'sha256' | 'parse' | 'spec' | 'io' | 'shadow' | 'parity';
  ok: boolean;
  detail: string;
}

/** A model refused before activation; `checks` holds every check run, the failed ones give the reasons. */
export class ModelValidationError extends TwinbedError {
  readonly version: string;
  readonly checks: readonly ValidationCheck[];

  constructor(version: string, checks: readonly ValidationCheck[], refusal?: { code: string; message: string }) {
    const reasons = checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`);
    super(refusal?.code ?? 'E_MODEL_INVALID', refusal?.message ?? `model ${version} refused; ${reasons.join('; ')}`);
    this.version = version;
    this.checks = checks;
  }

  /** The failed checks only. */
  get reasons(): ValidationCheck[] {
    return this.checks.filter((c) => !c.ok);
  }
}

/**
 * A model refused because its signature is missing, names a key the gateway does not trust, or does not verify: a
 * validation refusal of its own code, so the cloud can tell an untrusted model from a broken one.
 */
export class ModelSignatureError extends ModelValidationError {
  constructor(version: string, checks: readonly ValidationCheck[]) {
    const failed = checks.find((c) => c.check === 'signature' && !c.ok);
    super(version, checks, { code: 'E_MODEL_SIGNATURE', message: `model ${version}: ${failed?.detail ?? 'signature check failed'}` });
  }
}

/** A trusted key in the gateway config that cannot be used: unreadable, not PEM, not Ed25519, or a duplicate id. */
export class ModelKeyError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_KEY', message, options);
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
