import { TwinbedError } from '../../protocol';

/** Stable codes of RolloutError. */
export type RolloutErrorCode =
  | 'E_ROLLOUT_SPEC'
  | 'E_ROLLOUT_MODEL'
  | 'E_ROLLOUT_EXISTS'
  | 'E_ROLLOUT_CONFLICT'
  | 'E_ROLLOUT_UNKNOWN'
  | 'E_ROLLOUT_STATE'
  | 'E_ROLLOUT_STORE';

/** A rollout that cannot start, resume or be cancelled as asked; the message says what to change. */
export class RolloutError extends TwinbedError {
  declare readonly code: RolloutErrorCode;

  constructor(code: RolloutErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Stable codes of DriftError. */
export type DriftErrorCode = 'E_DRIFT_REFERENCE' | 'E_DRIFT_INPUT' | 'E_DRIFT_POLICY';

/** A drift reference, policy or comparison that cannot be computed from what was given. */
export class DriftError extends TwinbedError {
  declare readonly code: DriftErrorCode;

  constructor(code: DriftErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
