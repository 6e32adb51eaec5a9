/**
 * @sluice/push: the push registry (start, stop, list and restore pushes, each retried with
 * backoff) and the contract a protocol module implements to carry a stream somewhere.
 */

/** The registry: `startPush`, `stopPush`, `listPushes`, state events, restore from a store. */
export {
  PushRegistry,
  type PushRegistryEvents,
  type PushRegistryOptions,
  type PushStateChange,
  type RestoreResult,
} from './push-registry.js';
/** The per-push timeouts a registry applies (connect, send stall, no media). */
export type { SessionTimeouts } from './push.js';
/** Reconnect backoff and the send queue's limits, with their defaults. */
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './session-sender.js';
/** What a push is: its input, its record (state, counters, errors), the service the HTTP layer calls. */
export type {
  PushState,
  PushProtocol,
  StreamRef,
  StartPushInput,
  PushRecord,
  RecoveryCounters,
  SkippedTrack,
  PushFilter,
  PushService,
} from './types.js';
/** The contract with the stream source (the hub) and with the protocol modules (sinks and their factories). */
export type {
  StreamSubscriber,
  TimelineDiscontinuity,
  PushSource,
  PushTarget,
  PushSink,
  PushSinkFactory,
  PushProtocolInfo,
  PushProtocolModule,
} from './types.js';
/** Typed errors: refused requests (the HTTP layer maps them to statuses) and why a push stopped or retries. */
export {
  DuplicatePushId,
  PushLimitReached,
  DestinationDenied,
  PushNotFound,
  PushRegistryUnavailable,
  UnsupportedProtocol,
  InvalidPushUrl,
  UnknownTrackId,
  MissingPushParameter,
  PushConnectTimeout,
  PushSendStalled,
  PushNoMedia,
  NothingToPush,
  PushStoreCorrupted,
} from './errors.js';
/** Where pushes are kept across restarts: in memory, in a JSON file, or any PushStore (push-redis has one). */
export { MemoryPushStore, parseStoredPush, type PushStore, type StoredPush } from './push-store.js';
export { FilePushStore, type FilePushStoreOptions } from './file-push-store.js';
/** A URL with its secrets (passphrase, key, token, user info, stream key) replaced by `[redacted]`. */
export { redactUrlSecrets, REDACTED } from './url-secrets.js';
/** The time format of the push records (ISO 8601 with milliseconds and the UTC offset, e.g. `2026-12-03T13:00:00.000+0000`). */
export { formatPushTime } from './time-format.js';
/** The state and counters of a push that has not run yet (`ready`, zeros). */
export { IDLE_PUSH_COUNTERS } from './push-record.js';
/** A protocol module's reachability check: does a TCP connect to host:port succeed in time. */
export { probeTcp } from './tcp-probe.js';
