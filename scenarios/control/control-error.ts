import { TwinbedError } from '../../protocol';

/** Stable codes of StackControl's refusals. */
export type ControlErrorCode =
  /** The device is not a twin of the running scenario. */
  | 'E_CONTROL_DEVICE'
  /** The twin refused the command: an action it does not take, or arguments that do not validate. */
  | 'E_CONTROL_REFUSED'
  /** The link is unknown, or not simulated in this run, or the change does not validate. */
  | 'E_CONTROL_LINK'
  /** The clock cannot do that (a virtual clock has no pace to pause or change). */
  | 'E_CONTROL_CLOCK';

/** A demo control the running stack cannot carry out; the message says what to change. Nothing was changed. */
export class ControlError extends TwinbedError {
  declare readonly code: ControlErrorCode;

  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
