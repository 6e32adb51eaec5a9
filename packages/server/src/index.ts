export * from './config/index.js';
export {
  StreamHub,
  StreamAlreadyPublished,
  type StreamPublication,
  type LiveStreamInfo,
  type StreamHubListener,
  type StreamHubOptions,
} from './hub/stream-hub.js';
export { VirtualHostTable } from './hub/virtual-host-table.js';
export { ServerCatalogue } from './hub/server-catalogue.js';
export {
  createLogger,
  silentLogger,
  isLogLevel,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  type LogFields,
  type LoggerOptions,
} from './log/logger.js';
export { startStreamMapPusher, streamMapPushId, streamMapPushInput } from './wiring/stream-map-pusher.js';
export {
  builtInIngestProtocols,
  builtInPushProtocols,
  sinkFactoriesByName,
  type ProtocolOptions,
} from './protocols/index.js';
export type { IngestContext, IngestProtocol, IngestService } from './protocols/ingest-protocol.js';
export { createRtmpPushProtocol, type RtmpPushOptions } from './protocols/rtmp/rtmp-push.js';
export { createMpegtsPushProtocol } from './protocols/mpegts/mpegts-push.js';
export { rtmpIngestProtocol } from './protocols/rtmp/rtmp-ingest.js';
export {
  createSluiceServer,
  PUSH_STORE_FILE,
  type SluiceServer,
  type SluiceServerOptions,
  type SluiceServerEvents,
  type SluiceAddresses,
} from './sluice-server.js';
export {
  DASHBOARD_PATH,
  DASHBOARD_ROUTES,
  DASHBOARD_SECURITY_HEADERS,
  type DashboardRoute,
} from './dashboard/dashboard-routes.js';
export { DashboardFiles, defaultDashboardRoot } from './dashboard/dashboard-files.js';
export { withDashboard } from './dashboard/with-dashboard.js';
export { DEFAULT_CONFIG_FILE, PACKAGE_ROOT, packageVersion } from './package-root.js';
/** Publish access control: SignedPolicy and AdmissionWebhooks per virtual host (OvenMediaEngine formats). */
export {
  PublishAdmission,
  type PublishRequest,
  type AdmissionDecision,
  type AdmittedPublish,
  type RefusedPublish,
  type RefusedPublishEvent,
  type PublishAdmissionOptions,
} from './access/publish-admission.js';
export { RefusalCounters, REFUSAL_CAUSES, type RefusalCause, type Refusal } from './access/refusal.js';
export { checkSignedPolicy, type SignedPolicyConfig, type PolicyPass } from './access/signed-policy.js';
export { signUrl, type SignUrlOptions, type UrlPolicy } from './access/url-signing.js';
export {
  AdmissionWebhook,
  MAX_ANSWER_BYTES,
  type AdmissionWebhookConfig,
  type AdmissionWebhookOptions,
  type WebhookPublish,
  type WebhookVerdict,
} from './access/admission-webhook.js';
export { parseCidr, type CidrRange } from './access/cidr.js';
/** Webhooks (`<Managers><Webhooks>`): their configuration, counters and the signature a receiver checks. */
export {
  SIGNATURE_HEADER,
  signatureHeader,
  verifySignature,
  type SignatureProblem,
  type WebhookConfig,
  type WebhookCounters,
  type WebhookDispatcher,
  type WebhooksConfig,
} from './webhooks/index.js';
