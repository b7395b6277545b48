import { TwinbedError } from '../../protocol';

/** Stable codes of the motion twins' errors. */
export type MotionErrorCode =
  /** A twin was built before rapier's WASM was loaded. */
  | 'E_MOTION_NOT_READY'
  /** A reader asked for a time the twin no longer keeps. */
  | 'E_MOTION_HISTORY'
  /** A fault names this twin but is of a type that does not apply to it. */
  | 'E_MOTION_FAULT'
  /** The twin was used after dispose(). */
  | 'E_MOTION_DISPOSED';

/** A misuse of a motion twin; the message says what to change. */
export class MotionError extends TwinbedError {
  declare readonly code: MotionErrorCode;

  constructor(code: MotionErrorCode, message: string) {
    super(code, message);
  }
}
