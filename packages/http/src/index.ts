export {
  catalogueTrackFromTrackInfo,
  type StreamCatalogue,
  type CatalogueApp,
  type CatalogueStream,
  type CatalogueTrack,
  type TrackInfoLike,
  type MaybePromise,
} from './catalogue.js';
export { createApiHandler, DEFAULT_MAX_BODY_BYTES, type ApiHandler, type ApiHandlerOptions } from './api-handler.js';
export { createNodeHandler, type NodeHandlerOptions, type NodeRequestHandler } from './node-handler.js';
export { buildOpenApiDocument } from './openapi-document.js';
export { ROUTES, type RouteDefinition, type RouteAction } from './routes.js';
export { PUSH_ERROR_STATUS } from './push-error-table.js';
export { FIELD_LIMITS } from './push-request.js';
export { HttpApiConfigError, ApiError } from './errors.js';
export { JSON_CONTENT_TYPE } from './envelope.js';
