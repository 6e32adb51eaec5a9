export {
  catalogueTrackFromTrackInfo,
  type StreamCatalogue,
  type CatalogueApp,
  type CatalogueStream,
  type CatalogueTrack,
  type MaybePromise,
} from './catalogue.js';
export {
  createApiHandler,
  DEFAULT_MAX_BODY_BYTES,
  type ApiHandler,
  type ApiHandlerOptions,
  type ApiClientInfo,
} from './api-handler.js';
export {
  createNodeHandler,
  DEFAULT_BODY_TIMEOUT_MS,
  type NodeHandlerOptions,
  type NodeRequestHandler,
} from './node-handler.js';
/** Failed-authentication rate limit per client address (429 + Retry-After). */
export {
  AuthFailureLimiter,
  DEFAULT_AUTH_FAILURE_LIMITS,
  addressKey,
  type AuthFailureLimits,
} from './auth-failure-limiter.js';
export { buildOpenApiDocument } from './openapi-document.js';
export { ROUTES, type RouteDefinition, type RouteAction } from './routes.js';
export { PUSH_ERROR_STATUS } from './push-error-table.js';
export { FIELD_LIMITS } from './push-request.js';
export { HttpApiConfigError, ApiError } from './errors.js';
export { JSON_CONTENT_TYPE } from './envelope.js';
/** The event source `GET /v1/events` reads, and the SSE framing of one entry. */
export { sseFrame, type EventFeed, type FeedEntry } from './routes/event-feed.js';
/** Heartbeat, slow-reader bound and `retry` of the event stream. */
export { DEFAULT_EVENT_STREAM_SETTINGS, type EventStreamSettings } from './routes/events-route.js';
/** OvenMediaEngine's stats object, its source, and the Prometheus text source of `/metrics`. */
export { type StatsView, type StatsSource, type MetricsSource } from './routes/stats-route.js';
