// cloud/api/: the REST API, served from zod-validated routes that also generate its OpenAPI 3.1 document.
export {
  cloudApi,
  cloudRoutes,
  cloudModelOf,
  CLOUD_MOUNT_OPTIONS,
  CLOUD_API_INFO,
  type CloudApiOptions,
  type CloudApiModel,
  type CloudReadModel,
} from './cloud-api';
export { registryRoutes, REGISTRY_ERROR_STATUS, type RegistryApiOptions } from './registry-routes';
export { alertRoutes, ALERT_ERROR_STATUS, type AlertApiModel } from './alert-routes';
export { dataRoutes, PARQUET_MEDIA_TYPE, type DataApiModel } from './data-routes';
export { opsRoutes, type OpsApiModel } from './ops-routes';
export { modelRoutes, MODEL_ERROR_STATUS, type ModelApi, type ModelApiModel } from './model-routes';
export { rolloutRoutes } from './rollout-routes';
export {
  defineRoute,
  mountRoutes,
  pathParams,
  expressPath,
  isJsonMediaType,
  ErrorBodySchema,
  FileAnswer,
  FileAnswerSchema,
  HTTP_METHODS,
  type Route,
  type RouteDefinition,
  type RouteInput,
  type MountOptions,
  type HttpMethod,
  type ErrorStatus,
  type ObjectSchema,
} from './route';
export { openApiDocument, type OpenApiDocument, type OpenApiInfo, type JsonSchema } from './openapi';
export { NotFoundError, BadRequestError, ConflictError, PayloadTooLargeError, RouteDefinitionError, ResponseSchemaError } from './errors';
export { PageQueryFields, pageSchema } from './paging';
export * from './schemas';
export * from './record-schemas';
export * from './request-schemas';
