import { TwinbedError } from '../../protocol';

/** Stable codes of the electrical twin's errors. */
export type ElectricalErrorCode =
  /** A motor rating is out of range (power, speed, efficiency or peak-efficiency load). */
  | 'E_ELECTRICAL_RATING'
  /** A driver (speed, load, extra torque) returned a value that is not a finite number ≥ 0. */
  | 'E_ELECTRICAL_DRIVER';

/** A misuse of the electrical twin; the message says what to change. */
export class ElectricalError extends TwinbedError {
  declare readonly code: ElectricalErrorCode;

  constructor(code: ElectricalErrorCode, message: string) {
    super(code, message);
  }
}
