import { TwinbedError } from '../../protocol';

export type DspErrorCode = 'E_DSP_DESIGN' | 'E_RAW_CODEC';

/**
 * A filter that cannot be designed for the stream it meets (`E_DSP_DESIGN`, e.g. a cutoff at or above Nyquist), or
 * a raw block that cannot be encoded or decoded (`E_RAW_CODEC`). The message names the setting to change.
 */
export class DspError extends TwinbedError {
  declare readonly code: DspErrorCode;

  constructor(code: DspErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
