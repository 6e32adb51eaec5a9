export {
  catalogueTrackFromTrackInfo,
  type StreamCatalogue,
  type CatalogueApp,
  type CatalogueStream,
  type CatalogueTrack,
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
/** The event source `GET /v1/events` reads, and the SSE framing of one entry. */
export { sseFrame, type EventFeed, type FeedEntry } from './routes/event-feed.js';
/** Heartbeat, slow-reader bound and `retry` of the event stream. */
export { DEFAULT_EVENT_STREAM_SETTINGS, type EventStreamSettings } from './routes/events-route.js';
/** OvenMediaEngine's stats object, its source, and the Prometheus text source of `/metrics`. */
export { type StatsView, type StatsSource, type MetricsSource } from './routes/stats-route.js';
