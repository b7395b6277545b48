import { TwinbedError } from '../../protocol';

/** Stable codes of ModelRegistryError. */
export type ModelRegistryErrorCode =
  | 'E_MODEL_REGISTRY_VERSION'
  | 'E_MODEL_REGISTRY_UNKNOWN'
  | 'E_MODEL_REGISTRY_MISMATCH'
  | 'E_MODEL_REGISTRY_INTEGRITY'
  | 'E_MODEL_TRAINING_DATA';

/** A model the registry will not train, register or ship as asked; the message says what to change. */
export class ModelRegistryError extends TwinbedError {
  declare readonly code: ModelRegistryErrorCode;

  constructor(code: ModelRegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A signing or verification key that cannot be used: not PEM, or not Ed25519. */
export class ModelKeyError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_KEY', message, options);
  }
}
