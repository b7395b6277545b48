import { TwinbedError } from '../protocol';

/** Fitting could not produce a usable model from the healthy windows given. */
export class ModelFitError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_FIT', message, options);
  }
}

/** A features window that cannot be turned into the model's input vector. */
export class FeatureVectorError extends TwinbedError {
  readonly missing: readonly string[];
  readonly nonFinite: readonly string[];

  constructor(where: string, missing: readonly string[], nonFinite: readonly string[], modelVersion?: string) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`lacks ${missing.join(', ')}`);
    if (nonFinite.length > 0) parts.push(`has non-finite ${nonFinite.join(', ')}`);
    const model = modelVersion === undefined ? 'the model' : `model ${modelVersion}`;
    super(
      'E_MODEL_FEATURES',
      `${where} ${parts.join(' and ')}, which ${model} needs as input; compute these features at the gateway or stage a model fitted on the features it sends`,
    );
    this.missing = missing;
    this.nonFinite = nonFinite;
  }
}

/** Bytes that are not an ONNX model, or a model whose twinbed metadata and parameters disagree. */
export class ModelFormatError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MODEL_FORMAT', message, options);
  }
}
