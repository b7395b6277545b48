import { TwinbedError } from '../../protocol';

/** Stable codes of the thermal twin's errors. */
export type ThermalErrorCode =
  /** A driver returned a value that is not a finite number ≥ 0. */
  | 'E_THERMAL_DRIVER'
  /** A reader asked for a time the network no longer keeps (or a time before the run). */
  | 'E_THERMAL_HISTORY'
  /** A constructor option is out of range. */
  | 'E_THERMAL_OPTION';

/** A misuse of the thermal twin; the message says what to change. */
export class ThermalError extends TwinbedError {
  declare readonly code: ThermalErrorCode;

  constructor(code: ThermalErrorCode, message: string) {
    super(code, message);
  }
}
