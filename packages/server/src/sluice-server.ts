/**
 * createSluiceServer: the whole server (ingest protocols → stream hub → push registry →
 * push protocols' sinks, REST API in front) as an object that runs inside any Node
 * process: listen() opens the ports, close() stops pushes cleanly and closes them. The
 * protocols come from one list each (./protocols/index.ts).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { createApiHandler, createNodeHandler, type ApiHandler, type NodeRequestHandler } from '@sluice/http';
import {
  FilePushStore,
  PushRegistry,
  type PushProtocolModule,
  type PushRecord,
  type PushStateChange,
  type PushStore,
  type RetryPolicy,
} from '@sluice/push';
import { PublishAdmission, type RefusedPublishEvent } from './access/publish-admission.js';
import { RefusalCounters } from './access/refusal.js';
import { ClusterSlot } from './cluster/cluster-slot.js';
import { ClusterStats, nodeStatsDigest } from './cluster/cluster-stats.js';
import { loadServerConfig, type ConfigEnvironment, type ServerConfig } from './config/server-config.js';
import { withDashboard } from './dashboard/with-dashboard.js';
import { ServerCatalogue } from './hub/server-catalogue.js';
import { StreamHub, type LiveStreamInfo } from './hub/stream-hub.js';
import { VirtualHostTable } from './hub/virtual-host-table.js';
import { silentLogger, type Logger } from './log/logger.js';
import { createObservability } from './observe/observability.js';
import type { EventBus } from './observe/event-bus.js';
import type { PublishRefusedEvent } from './observe/server-events.js';
import { redactingLogger, SecretSet } from './log/redacting-logger.js';
import { DEFAULT_CONFIG_FILE, packageVersion } from './package-root.js';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { checkStreamMapProtocols } from './config/stream-map.js';
import type { HostResolver } from '@sluice/media';
import { DestinationGuard } from './wiring/destination-guard.js';
import { builtInIngestProtocols, builtInPushProtocols, sinkFactoriesByName } from './protocols/index.js';
import type { IngestProtocol } from './protocols/ingest-protocol.js';
import type { RtmpPushOptions } from './protocols/rtmp/rtmp-push.js';
import { TlsCertificate } from './tls/tls-certificate.js';
import { apiBindAddress } from './wiring/api-bind.js';
import { closeServer, createApiListener, listenOn } from './wiring/api-listener.js';
import { listenRtmps } from './wiring/rtmps-listener.js';
import { startStreamMapPusher, targetStreamMapPushId } from './wiring/stream-map-pusher.js';

/** Options of createSluiceServer. Everything is optional: the default is the shipped Server.xml. */
export interface SluiceServerOptions {
  /** A parsed configuration; wins over `configFile`. */
  config?: ServerConfig | undefined;
  /** Server.xml to load (default: conf/Server.xml of the package). */
  configFile?: string | undefined;
  /** Environment overrides for ports and token (default: none; the CLI passes process.env). */
  env?: ConfigEnvironment | undefined;
  /** Folder where pushes persist (FilePushStore `pushes.msgpack`); default: in memory only. Unused with `<Cluster>`. */
  dataDir?: string | undefined;
  /** A push store of your own (wins over dataDir). */
  store?: PushStore | undefined;
  /** Address to listen on (default: the config's `<IP>`; `*` = every interface). */
  host?: string | undefined;
  /** Port overrides (0 = any free port). */
  apiPort?: number | undefined;
  /** The rtmp ingest's port (wins over the configuration's). */
  rtmpPort?: number | undefined;
  /** TLS port overrides (0 = any free port); used only when the config has a certificate. */
  apiTlsPort?: number | undefined;
  rtmpTlsPort?: number | undefined;
  /** Serve the API with the default token `ome-access-token` on non-loopback addresses (CLI `--allow-default-token`). */
  allowDefaultToken?: boolean | undefined;
  /** False: do not open the API port; mount `server.nodeHandler` or `server.apiHandler` in your own HTTP server. */
  listenApi?: boolean | undefined;
  /** Where log lines go (default: nowhere). */
  logger?: Logger | undefined;
  /** Backoff between push attempts. */
  retry?: Partial<RetryPolicy> | undefined;
  /** Where each push session's output timeline starts, in ms (default 0; see PushRegistryOptions.timelineOriginMs). */
  pushTimelineOriginMs?: number | undefined;
  /** rtmps:// destinations: certificate checks (default: verified against the system CAs). */
  rtmps?: RtmpPushOptions | undefined;
  /** The push protocols (default: the built-in list, builtInPushProtocols). */
  pushProtocols?: readonly PushProtocolModule[] | undefined;
  /** The ingest protocols (default: the built-in list, builtInIngestProtocols); [] opens none. */
  ingestProtocols?: readonly IngestProtocol[] | undefined;
  /**
   * How push destinations are looked up (default: the system resolver, getaddrinfo); the
   * `<Destinations>` policy checks what it returns. Tests inject one to make a name resolve
   * differently between connection attempts.
   */
  resolveHost?: HostResolver | undefined;
}

/** Events of a running server. */
export interface SluiceServerEvents {
  /** Every push state change (the registry's `change`). */
  pushChange: [PushStateChange];
  /** A stream went live / ended. */
  streamStart: [LiveStreamInfo];
  streamEnd: [LiveStreamInfo];
  /** Something went wrong that the server survived (store error, subscriber error). */
  warning: [Error];
  /** A publish was refused (access control, unknown application, name in use). */
  publishRefused: [RefusedPublishEvent];
}

/** Where the server listens after listen(). */
export interface SluiceAddresses {
  apiPort: number | undefined;
  /** The rtmp ingest's port (0 when no rtmp ingest is open). */
  rtmpPort: number;
  /** Port of each open ingest, by protocol name. */
  ingestPorts: Record<string, number>;
  /** The address the API listens on (`::` or `0.0.0.0` = every interface). */
  apiHost?: string | undefined;
  /** The HTTPS API port, when `<TLSPort>` and a certificate are configured. */
  apiTlsPort?: number | undefined;
  /** The RTMPS ingest port, when configured. */
  rtmpTlsPort?: number | undefined;
}

/** A server made by createSluiceServer. */
export interface SluiceServer {
  readonly config: ServerConfig;
  readonly hub: StreamHub;
  readonly registry: PushRegistry;
  readonly vhosts: VirtualHostTable;
  readonly catalogue: ServerCatalogue;
  readonly events: EventEmitter<SluiceServerEvents>;
  /** Who may publish; `admission.refusals` counts refusals by cause. */
  readonly admission: PublishAdmission;
  /** The REST API as a Fetch handler (Request → Response). */
  readonly apiHandler: ApiHandler;
  /** The REST API as a node:http listener / Express middleware. */
  readonly nodeHandler: NodeRequestHandler;
  /** Restores persisted pushes and opens the ports; resolves with the ports bound. */
  listen(): Promise<SluiceAddresses>;
  /** Stops every push cleanly (definitions kept in the store), closes the ports. Idempotent. */
  close(): Promise<void>;
  /** Ports bound (after listen()). */
  readonly addresses: SluiceAddresses | undefined;
  /** Current push records (shortcut for registry.listPushes()). */
  pushes(): PushRecord[];
  /**
   * Reads the TLS certificate files again (SIGHUP) for new connections; open ones keep
   * theirs. Throws ConfigError naming the file (the old certificate stays) when unusable.
   */
  reloadCertificates(): void;
  /** The server's events (`/v1/events`, webhooks): numbered, with a bounded history. */
  readonly eventBus: EventBus;
  /** Sends out an event from outside the registry and the hub: a refused publish (`publish.refused`; counted by `admission.report`, not here). */
  emitEvent(event: PublishRefusedEvent): void;
  /** The `<Managers><Webhooks>` receivers, with their counters. */
  readonly webhooks: WebhookDispatcher;
}

/** The file a data dir keeps pushes in. */
export const PUSH_STORE_FILE = 'pushes.msgpack';

/** Creates a server (nothing listens until listen()). Throws ConfigError for a bad configuration. */
export function createSluiceServer(options: SluiceServerOptions = {}): SluiceServer {
  const loaded = options.config ?? loadServerConfig(options.configFile ?? DEFAULT_CONFIG_FILE, options.env ?? {});
  const config = options.rtmpPort === undefined ? loaded : { ...loaded, rtmpPort: options.rtmpPort };
  const pushProtocols = options.pushProtocols ?? builtInPushProtocols({ rtmp: options.rtmps });
  const ingestProtocols = options.ingestProtocols ?? builtInIngestProtocols();
  const pushProtocolNames = pushProtocols.map((p) => p.name);
  for (const app of config.virtualHosts.flatMap((v) => v.applications))
    if (app.push?.streamMap !== undefined) checkStreamMapProtocols(app.push.streamMap, pushProtocolNames);
  // the token and every stream key are kept out of the log (redacting-logger.ts)
  const secrets = new SecretSet();
  secrets.add(config.accessToken, { basic: true });
  for (const app of config.virtualHosts.flatMap((v) => v.applications))
    for (const entry of app.push?.streamMap?.entries ?? []) secrets.add(entry.streamKey);
  for (const webhook of config.webhooks.webhooks) secrets.add(webhook.secretKey);
  const log = options.logger === undefined ? silentLogger : redactingLogger(options.logger, secrets);
  for (const w of config.warnings) log.warn(`config: ${w.message}`, { file: w.file, element: w.element, line: w.line });
  const events = new EventEmitter<SluiceServerEvents>();
  const warn = (error: unknown): void => {
    if (events.listenerCount('warning') > 0)
      events.emit('warning', error instanceof Error ? error : new Error(String(error)));
  };
  const vhosts = new VirtualHostTable(config.virtualHosts);
  const hub = new StreamHub();
  // <Cluster>: the pushes live in Redis; the local registry runs those this node holds the lease of.
  const cluster = config.cluster === undefined ? undefined : new ClusterSlot(config.cluster);
  let store = options.store;
  if (store === undefined && options.dataDir !== undefined && cluster === undefined) {
    mkdirSync(options.dataDir, { recursive: true });
    store = new FilePushStore(join(options.dataDir, PUSH_STORE_FILE), { onCorrupted: (e) => log.error(e.message) });
  }
  const sinks = sinkFactoriesByName(pushProtocols);
  const maxPushesFor = ({ vhost, app }: { vhost: string; app: string }): number | undefined =>
    vhosts.application(vhost, app)?.push?.maxPushes;
  const destinations = new DestinationGuard({
    vhosts,
    protocols: pushProtocols,
    prepare: (input) => registry.prepare(input),
    resolveHost: options.resolveHost,
  });
  const registry: PushRegistry = new PushRegistry({
    bitrateOf: (id) => observability.meter.pushBitrate(id),
    source: hub,
    sinks: cluster?.guard(sinks) ?? sinks,
    store: cluster === undefined ? store : undefined,
    retry: options.retry,
    timelineOriginMs: options.pushTimelineOriginMs,
    maxPushesFor,
    resolveHostFor: (scope) => destinations.resolveHostFor(scope),
    timeoutsFor: ({ vhost, app }) => {
      const push = vhosts.application(vhost, app)?.push;
      return push === undefined
        ? undefined
        : {
            connectTimeoutMs: push.connectTimeoutMs,
            sendTimeoutMs: push.sendTimeoutMs,
            noMediaTimeoutMs: push.noMediaTimeoutMs,
          };
    },
  });
  registry.on('change', (change) => {
    const r = change.record;
    if (change.from === null) secrets.add(r.streamKey);
    const fields = {
      vhost: r.vhost,
      app: r.app,
      stream: r.stream.name,
      pushId: r.id,
      protocol: r.protocol,
      url: r.url,
      sequence: r.sequence,
      error: change.error?.message,
    };
    if (change.from === null) log.info(`push created (${r.state})`, fields);
    else log.log(change.to === 'error' ? 'warn' : 'info', `push ${change.from} -> ${change.to}`, fields);
    events.emit('pushChange', change);
  });
  registry.on('removed', (r) =>
    log.info('push removed', { vhost: r.vhost, app: r.app, stream: r.stream.name, pushId: r.id }),
  );
  registry.on('storeError', (e) => {
    log.error(`push store: ${e.message}`);
    warn(e);
  });
  hub.listen({
    onStreamStart: (info) => {
      log.info('stream started', {
        vhost: info.ref.vhost,
        app: info.ref.app,
        stream: info.ref.name,
        tracks: info.tracks.map((t) => `${t.id}:${t.codec}`).join(','),
      });
      events.emit('streamStart', info);
    },
    onStreamEnd: (info) => {
      log.info('stream ended', {
        vhost: info.ref.vhost,
        app: info.ref.app,
        stream: info.ref.name,
        packets: info.packetsIn,
        bytes: info.bytesIn,
      });
      events.emit('streamEnd', info);
    },
    onDiscontinuity: (ref, e) =>
      log.warn(`stream timeline jumped (${e.kind}): rebased, the published timeline stays continuous`, {
        vhost: ref.vhost,
        app: ref.app,
        stream: ref.name,
        track: e.trackId,
        from: e.fromMs,
        to: e.toMs,
      }),
    onSubscriberError: (ref, error) => {
      log.error(`stream subscriber failed: ${String(error)}`, { vhost: ref.vhost, app: ref.app, stream: ref.name });
      warn(error);
    },
  });
  const pushService = cluster?.service ?? registry;
  startStreamMapPusher(hub, vhosts, pushService, log, cluster === undefined ? undefined : targetStreamMapPushId);
  const catalogue = new ServerCatalogue(vhosts, hub);
  const refusals = new RefusalCounters(); // the one count of refused publishes: admission adds, metrics read
  const observability = createObservability({
    registry,
    hub,
    vhosts,
    log,
    ingestProtocols: ingestProtocols.map((p) => p.sourceType),
    refusals,
  });
  const webhooks = createWebhookDispatcher({
    config: config.webhooks,
    bus: observability.bus,
    metrics: observability.metrics,
    log,
    userAgent: `sluice/${packageVersion()}`,
  });
  // <Cluster>: the stats add up every live node's (published with its presence); one node: its own, synchronously
  const stats =
    cluster === undefined
      ? observability.stats
      : new ClusterStats({ local: observability.stats, node: cluster.config.nodeName, peers: () => cluster.peers() });
  const apiHandler = createApiHandler({
    ...observability.apiOptions,
    stats,
    push: destinations.guard(pushService),
    protocols: pushProtocols,
    catalogue,
    accessToken: config.accessToken,
    crossDomains: config.crossDomains,
    authFailureLimit: { maxFailures: config.apiLimits.authFailuresPerMinute },
    version: packageVersion(),
    onError: (e) => {
      log.error(`API: ${String(e)}`);
      warn(e);
    },
  });
  const nodeHandler = createNodeHandler(apiHandler, { bodyTimeoutMs: config.apiLimits.bodyTimeoutMs });
  const host = options.host ?? (config.bindAddress === '*' ? undefined : config.bindAddress);
  const apiBind = apiBindAddress(
    host,
    config.accessToken,
    config.allowDefaultToken || options.allowDefaultToken === true,
  );
  const certificate = config.tls === undefined ? undefined : new TlsCertificate(config.tls);
  const admission = new PublishAdmission(vhosts, {
    log,
    refusals,
    onRefused: (e) => {
      observability.emitEvent(e); // publish.refused on the event bus (/v1/events)
      events.emit('publishRefused', e);
    },
  });
  const ingests = ingestProtocols.map((protocol) => ({
    protocol,
    service: protocol.create({
      publish: (ref, peer) => hub.publish(ref, protocol.sourceType, peer),
      vhosts,
      log,
      admission,
      config,
    }),
  }));
  const closeIngests = (): Promise<void> =>
    Promise.all(ingests.map(({ service }) => service.close())).then(() => undefined);
  const listenIngests = async (): Promise<Record<string, number>> => {
    const ports: Record<string, number> = {};
    for (const { protocol, service } of ingests) {
      const port = protocol.port(config);
      if (port !== undefined) ports[protocol.name] = await service.listen(host, port);
    }
    return ports;
  };
  let apiServer: HttpServer | undefined;
  let apiTlsServer: HttpServer | undefined;
  let rtmpsServer: TlsServer | undefined;
  let addresses: SluiceAddresses | undefined;
  let closing: Promise<void> | undefined;

  // the dashboard's files at /dashboard/ (public), the API behind, on the plain and the TLS port
  const apiListener = withDashboard(nodeHandler);
  const listenApi = async (): Promise<number> => {
    if (apiBind.warning !== undefined) log.warn(apiBind.warning);
    apiServer = createApiListener(apiListener, config.apiLimits, log);
    return listenOn(apiServer, options.apiPort ?? config.apiPort, apiBind.host);
  };
  const listenTls = async (): Promise<Pick<SluiceAddresses, 'apiTlsPort' | 'rtmpTlsPort'>> => {
    const out: Pick<SluiceAddresses, 'apiTlsPort' | 'rtmpTlsPort'> = {};
    if (certificate === undefined) return out;
    const apiTls = options.apiTlsPort ?? config.apiTlsPort;
    if (apiTls !== undefined && options.listenApi !== false) {
      apiTlsServer = createApiListener(apiListener, config.apiLimits, log, certificate);
      out.apiTlsPort = await listenOn(apiTlsServer, apiTls, apiBind.host);
    }
    const rtmpTls = options.rtmpTlsPort ?? config.rtmpTlsPort;
    if (rtmpTls !== undefined) {
      const rtmp = ingests.find(({ protocol }) => protocol.name === 'rtmp')?.service;
      const accept = rtmp?.accept?.bind(rtmp);
      if (accept === undefined) throw new Error('the ingest cannot take RTMPS connections (no accept())');
      const rtmps = await listenRtmps(accept, certificate, host, rtmpTls, log);
      rtmpsServer = rtmps.server;
      out.rtmpTlsPort = rtmps.port;
    }
    return out;
  };

  const server: SluiceServer = {
    config,
    hub,
    registry,
    vhosts,
    catalogue,
    events,
    admission,
    apiHandler,
    nodeHandler,
    get addresses() {
      return addresses;
    },
    pushes: () => registry.listPushes(),
    reloadCertificates() {
      if (certificate === undefined) return;
      certificate.reload();
      log.info('TLS certificate reloaded', { cert: config.tls?.certPath });
    },
    eventBus: observability.bus,
    emitEvent: (event) => observability.emitEvent(event),
    webhooks,
    async listen() {
      if (addresses !== undefined) return addresses;
      const restored = await registry.start();
      if (restored.restored.length > 0)
        log.info(`restored ${restored.restored.length} push(es) from the store`, {
          pushIds: restored.restored.join(','),
        });
      for (const r of restored.rejected) log.warn(`stored push not restored: ${r.reason}`, { pushId: r.id });
      const ingestPorts = await listenIngests();
      const apiPort = options.listenApi === false ? undefined : await listenApi();
      await cluster?.start({
        registry,
        hub,
        log,
        maxPushesFor,
        stats: () => nodeStatsDigest(observability.stats, vhosts, hub, registry),
      });
      const apiAddress = apiServer?.address();
      const apiHost = typeof apiAddress === 'object' && apiAddress !== null ? apiAddress.address : undefined;
      addresses = { apiPort, rtmpPort: ingestPorts['rtmp'] ?? 0, ingestPorts, apiHost, ...(await listenTls()) };
      log.info('Sluice listening', {
        api: apiPort,
        ...ingestPorts,
        apiTls: addresses.apiTlsPort,
        rtmps: addresses.rtmpTlsPort,
        host: host ?? '*',
        apiHost: apiBind.host ?? '*',
      });
      return addresses;
    },
    close() {
      closing ??= (async () => {
        log.info('shutting down: stopping pushes');
        await registry.close();
        rtmpsServer?.close(); // stops accepting; its connections are the ingest's and close with it
        await cluster?.close();
        await closeIngests();
        hub.endAll();
        await webhooks.close(); // after the last push and stream events, bounded by <DrainTimeout>
        await observability.close();
        await Promise.all([apiServer, apiTlsServer].map((s) => (s === undefined ? Promise.resolve() : closeServer(s))));
        log.info('stopped');
      })();
      return closing;
    },
  };
  return server;
}
