/**
 * @sluice/server: the Sluice server (RTMP and SRT ingest, the stream hub, pushes over
 * RTMP(S), MPEG-TS and SRT, the OvenMediaEngine-compatible HTTP API, the dashboard), to
 * run with the `sluice` CLI or embed with `createSluiceServer`.
 */

/** The server: `createSluiceServer(options)`, then `listen()`, `events`, `hub`, `registry`, `close()`. */
export {
  createSluiceServer,
  PUSH_STORE_FILE,
  type SluiceServer,
  type SluiceServerOptions,
  type SluiceServerEvents,
  type SluiceAddresses,
} from './sluice-server.js';
export { DEFAULT_CONFIG_FILE, packageVersion } from './package-root.js';
/** Server.xml: read (with `${env:...}` and the SLUICE_* overrides) or parsed, and what it yields. */
export { loadServerConfig, parseServerConfig, applyEnvironment } from './config/server-config.js';
export type {
  ServerConfig,
  VirtualHostConfig,
  ApplicationConfig,
  PushPublisherConfig,
  ConfigEnvironment,
} from './config/server-config.js';
export type { ClusterConfig } from './config/cluster-config.js';
/** The StreamMap file (`<StreamMap><Stream>` pushes started with the server). */
export { parseStreamMap, readStreamMapFile, type StreamMapEntry } from './config/stream-map.js';
/** A configuration that cannot be used (file, element, reason), and the warnings of one that can. */
export { ConfigError } from './config/config-error.js';
export type { ConfigWarning } from './config/element-reader.js';
/** The stream hub (`sluice.hub`): live streams by vhost/app/name, one publisher per name, the GOP a late push starts with. */
export {
  StreamHub,
  StreamAlreadyPublished,
  type StreamPublication,
  type LiveStreamInfo,
  type StreamHubListener,
  type StreamHubOptions,
} from './hub/stream-hub.js';
/** The discovery data (`sluice.catalogue`): virtual hosts, applications, streams and their tracks. */
export { ServerCatalogue } from './hub/server-catalogue.js';
/** The logger the server writes to (levels, JSON or text lines), or a silent one. */
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
/** The protocol modules: the built-in lists, the ingest contract, and each built-in module. */
export { builtInIngestProtocols, builtInPushProtocols, type ProtocolOptions } from './protocols/index.js';
export type { IngestContext, IngestProtocol, IngestService } from './protocols/ingest-protocol.js';
export { createRtmpPushProtocol, type RtmpPushOptions } from './protocols/rtmp/rtmp-push.js';
export { createMpegtsPushProtocol } from './protocols/mpegts/mpegts-push.js';
export { rtmpIngestProtocol } from './protocols/rtmp/rtmp-ingest.js';
/** The dashboard's routes and files, to put in front of a listener of your own. */
export {
  DASHBOARD_PATH,
  DASHBOARD_ROUTES,
  DASHBOARD_SECURITY_HEADERS,
  type DashboardRoute,
} from './dashboard/dashboard-routes.js';
export { DashboardFiles, defaultDashboardRoot } from './dashboard/dashboard-files.js';
export { withDashboard } from './dashboard/with-dashboard.js';
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
export type { SignedPolicyConfig } from './access/signed-policy.js';
export type { AdmissionWebhookConfig } from './access/admission-webhook.js';
/** Signed publish URLs (`sluice sign-url`): policy and signature in OvenMediaEngine's format. */
export { signUrl, type SignUrlOptions, type UrlPolicy } from './access/url-signing.js';
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
