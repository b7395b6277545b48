import { TwinbedError } from '../../protocol';

export type DspErrorCode = 'E_DSP_DESIGN';

/**
 * A filter that cannot be designed for the stream it meets (`E_DSP_DESIGN`, e.g. a cutoff at or above Nyquist).
 * The message names the setting to change. (A raw block that cannot be coded is a RawCodecError, in protocol/.)
 */
export class DspError extends TwinbedError {
  declare readonly code: DspErrorCode;

  constructor(code: DspErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
