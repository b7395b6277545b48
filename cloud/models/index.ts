// cloud/models/: the model registry — train the edge anomaly model on stored healthy windows, version it (semver),
// sign it (Ed25519) and hand out the model.stage args that ship it.
export { ModelRegistryError, ModelKeyError, type ModelRegistryErrorCode } from './errors';
export { ModelSigner, verifyModelSignature } from './model-signer';
export { trainModel, type TrainingWindow, type TrainOptions, type TrainedModel } from './model-trainer';
export { TrainingQuerySchema, describeQuery, type TrainingQuery, type TrainingQueryInput, type TrainingSource } from './training-query';
export {
  ModelRegistry,
  FIRST_MODEL_VERSION,
  type ModelRegistryOptions,
  type TrustedModelKey,
  type RegisterInput,
  type TrainAndRegisterOptions,
  type ModelStageArgs,
} from './model-registry';
export { parseSemver, formatSemver, compareSemver, bumpSemver, type Semver, type SemverBump } from './semver';
