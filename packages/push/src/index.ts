export * from './types.js';
export * from './errors.js';
export { redactUrlSecrets, REDACTED } from './url-secrets.js';
export { formatPushTime } from './time-format.js';
export { DEFAULT_RETRY_POLICY, resolveRetryPolicy, retryDelayMs, type RetryPolicy } from './retry-policy.js';
export { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './session-sender.js';
export { selectTracks, type TrackRequest, type TrackSelection } from './track-selection.js';
export { MemoryPushStore, parseStoredPush, type PushStore, type StoredPush } from './push-store.js';
export { FilePushStore, type FilePushStoreOptions } from './file-push-store.js';
export {
  PushRegistry,
  type PushRegistryEvents,
  type PushRegistryOptions,
  type PushStateChange,
  type RestoreResult,
} from './push-registry.js';
export type { SessionTimeouts } from './push-session.js';
export * from './tcp-probe.js';
