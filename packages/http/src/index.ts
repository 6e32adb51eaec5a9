/**
 * @sluice/http: the OvenMediaEngine-compatible REST API (push start/stop/list, streams,
 * stats, events, metrics, OpenAPI) as a handler over any server, independent of the media side.
 */

/** What the API lists as streams: the catalogue a server supplies, and one track of a stream as the API shows it. */
export {
  catalogueTrackFromTrackInfo,
  type StreamCatalogue,
  type CatalogueApp,
  type CatalogueStream,
  type CatalogueTrack,
  type MaybePromise,
} from './catalogue.js';
/** The whole API as a Fetch-standard handler (Request in, Response out): routing, auth, envelopes, errors. */
export {
  createApiHandler,
  DEFAULT_MAX_BODY_BYTES,
  type ApiHandler,
  type ApiHandlerOptions,
  type ApiClientInfo,
} from './api-handler.js';
/** The API on node:http: a request listener with body limits and timeouts. */
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
/** The OpenAPI 3 document of the API (`GET /v1/openapi.json`), with the URL forms of the registered protocols. */
export { buildOpenApiDocument } from './openapi-document.js';
/** Every route: method, path pattern, action, whether it needs the token. */
export { ROUTES, type RouteDefinition, type RouteAction } from './routes.js';
/** The HTTP status of each @sluice/push error, and the size limits of a push request's fields. */
export { PUSH_ERROR_STATUS } from './push-error-table.js';
export { FIELD_LIMITS } from './push-request.js';
/** Typed errors: a handler configured wrongly, an API error with its status and message. */
export { HttpApiConfigError, ApiError } from './errors.js';
/** The content type of every JSON answer. */
export { JSON_CONTENT_TYPE } from './envelope.js';
/** The event source `GET /v1/events` reads, and the SSE framing of one entry. */
export { sseFrame, type EventFeed, type FeedEntry } from './routes/event-feed.js';
/** Heartbeat, slow-reader bound and `retry` of the event stream. */
export { DEFAULT_EVENT_STREAM_SETTINGS, type EventStreamSettings } from './routes/events-route.js';
/** OvenMediaEngine's stats object, its source, and the Prometheus text source of `/metrics`. */
export { type StatsView, type StatsSource, type MetricsSource } from './routes/stats-route.js';
