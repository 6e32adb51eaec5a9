/**
 * @sluice/dashboard's view logic, usable on its own: the REST client, the event-stream
 * reader (SSE parser, reconnect backoff, typed events), the state rules, and the
 * formatting, masking and presets the page shows. The page itself is `dist/` (built by
 * `pnpm build`), served by @sluice/server at /dashboard/.
 */

/** The REST client (Basic token, envelope messages as errors). */
export { ApiClient, ApiError, type FetchFunction } from './api/api-client.js';
/** `Authorization: Basic base64(token)`. */
export { basicAuthorization } from './api/basic-token.js';
/** Shapes of the API's records. */
export type { ApiEnvelope, PushRecord, PushState, StartPushBody, StreamDetail, StreamTrack } from './api/api-types.js';
/** Server-Sent Events parsing. */
export {
  SseParser,
  SseTooLargeError,
  DEFAULT_MAX_EVENT_CHARS,
  type SseEvent,
  type SseParserHandlers,
} from './live/sse-parser.js';
/** Reconnect delays. */
export { ReconnectBackoff, type BackoffOptions } from './live/reconnect-backoff.js';
/** `/v1/events` over fetch, reconnecting with Last-Event-ID. */
export {
  EventStreamClient,
  type EventStreamOptions,
  type EventStreamStatus,
  type Timers,
} from './live/event-stream.js';
/** The typed events of `/v1/events`. */
export {
  parseServerEvent,
  type ServerEvent,
  type PushStats,
  type StreamStats,
  type PublishedStream,
} from './live/server-events.js';
/** The dashboard's state and how events change it. */
export {
  reduceDashboard,
  applyEvent,
  sortedPushes,
  sortedStreams,
  streamRefKey,
  pushKey,
  EMPTY_STATE,
  HISTORY_SAMPLES,
  MAX_NOTICES,
  type DashboardState,
  type DashboardAction,
  type AppRef,
  type LiveStream,
  type Notice,
  type SnapshotStream,
} from './live/dashboard-state.js';
/** Snapshot + events, kept in step with the server. */
export {
  DashboardController,
  type DashboardControllerOptions,
  type DashboardStatus,
  type DashboardView,
} from './live/dashboard-controller.js';
/** Numbers, times and tracks in words. */
export {
  formatBytes,
  formatBitrate,
  formatDuration,
  formatSince,
  formatTrack,
  codecLabel,
  parseApiTime,
  UNKNOWN,
} from './view/format.js';
/** A push state's word and colour. */
export { pushStateStyle, type StateStyle, type Tone } from './view/push-state-style.js';
/** Destinations with their secrets masked. */
export { destinationOf, maskSecret, type DestinationView } from './view/destination-mask.js';
/** Destination presets (YouTube, Twitch, Facebook, Kick, RTMP(S), SRT, MPEG-TS). */
export {
  DESTINATION_PRESETS,
  presetById,
  codecProblems,
  type DestinationPreset,
  type PushProtocolName,
} from './view/presets.js';
/** Sparkline geometry. */
export { sparklinePoints } from './view/sparkline-path.js';
