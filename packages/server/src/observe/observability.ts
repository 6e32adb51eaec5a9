/**
 * The server's observability in one place: the event bus fed by the push registry and
 * the stream hub, the traffic meter (bit rates), OvenMediaEngine's stats, the Prometheus
 * metrics, and the periodic `stats` event; plus what the REST API needs to serve them.
 */
import type { ApiHandlerOptions } from '@sluice/http';
import { formatPushTime, type PushRegistry } from '@sluice/push';
import { type StreamHub } from '../hub/stream-hub.js';
import type { VirtualHostTable } from '../hub/virtual-host-table.js';
import type { Logger } from '../log/logger.js';
import { EventBus } from './event-bus.js';
import { ServerMetrics } from './server-metrics.js';
import type { RefusalCounters } from '../access/refusal.js';
import { ServerStats } from './server-stats.js';
import {
  publishRefusedEvent,
  pushChangeEvent,
  pushRemovedEvent,
  streamEndedEvent,
  streamPublishedEvent,
  type PublishRefusedEvent,
} from './server-events.js';
import { meterKey, TrafficMeter } from './traffic-meter.js';

/** Milliseconds between two `stats` events (sent only while someone reads the event stream). */
const STATS_EVENT_INTERVAL_MS = 2000;

/** What createObservability wires together. */
export interface ObservabilityContext {
  registry: PushRegistry;
  hub: StreamHub;
  vhosts: VirtualHostTable;
  log: Logger;
  /** Ingest protocol names (each gets a `sluice_ingest_connections` series). */
  ingestProtocols: readonly string[];
  /** The count of refused publishes (PublishAdmission's), read by the metrics. */
  refusals: RefusalCounters;
}

/** The server's event bus, meter, stats and metrics, and the API options that expose them. */
export interface Observability {
  readonly bus: EventBus;
  readonly meter: TrafficMeter;
  readonly stats: ServerStats;
  readonly metrics: ServerMetrics;
  /** Options for createApiHandler: the event stream, the stats, the metrics, the request counter. */
  readonly apiOptions: Pick<ApiHandlerOptions, 'events' | 'stats' | 'metrics' | 'onRequestDone'>;
  /** Sends out a refused publish as `publish.refused` (counted where it is reported: PublishAdmission.report). */
  emitEvent(event: PublishRefusedEvent): void;
  /** Stops timers and outgoing work. */
  close(): Promise<void>;
}

/** Creates the pieces and subscribes them to the registry and the hub. */
export function createObservability(ctx: ObservabilityContext): Observability {
  const { registry, hub, vhosts, log } = ctx;
  const bus = new EventBus({
    onReaderDropped: ({ bufferedBytes, remote }) =>
      log.warn('event stream reader dropped: it reads too slowly', { remote, bufferedBytes }),
  });
  const meter = new TrafficMeter({
    read: () => ({
      pushes: registry.listPushes().map((r) => [r.id, r.totalsentBytes] as const),
      streams: hub.liveStreams().map((s) => [meterKey(s.ref), s.bytesReceived] as const),
    }),
  });
  const stats = new ServerStats({
    registry,
    hub,
    meter,
    hasVhost: (vhost) => vhosts.byName(vhost) !== undefined,
    hasApp: (vhost, app) => vhosts.application(vhost, app) !== undefined,
  });
  const metrics = new ServerMetrics({
    registry,
    hub,
    meter,
    ingestProtocols: ctx.ingestProtocols,
    refusals: ctx.refusals,
  });
  const stopStats = stats.subscribe();
  registry.on('change', (change) => bus.publish(pushChangeEvent(change)));
  registry.on('removed', (record) => bus.publish(pushRemovedEvent(record)));
  const stopListening = hub.listen({
    onStreamStart: (info) => bus.publish(streamPublishedEvent(info)),
    onStreamEnd: (info) => bus.publish(streamEndedEvent(info)),
  });
  meter.start();
  const statsTimer = setInterval(() => {
    if (bus.subscriberCount > 0) bus.broadcast('stats', statsEvent(registry, hub, meter));
  }, STATS_EVENT_INTERVAL_MS);
  statsTimer.unref();
  return {
    bus,
    meter,
    stats,
    metrics,
    apiOptions: {
      events: bus,
      stats,
      metrics,
      onRequestDone: (route, status) => metrics.requestDone(route, status),
    },
    emitEvent: (event) => {
      if (event.type !== 'publishRefused') throw new TypeError(`unknown event type [${String(event.type)}]`);
      bus.publish(publishRefusedEvent(event));
    },
    close: () => {
      clearInterval(statsTimer);
      meter.stop();
      stopStats();
      stopListening();
      return Promise.resolve();
    },
  };
}

/** The `stats` event the dashboard reads: every push's counters and every live stream's input. */
function statsEvent(registry: PushRegistry, hub: StreamHub, meter: TrafficMeter): object {
  return {
    type: 'stats',
    time: formatPushTime(Date.now()),
    pushes: registry.listPushes().map((r) => ({
      id: r.id,
      vhost: r.vhost,
      app: r.app,
      state: r.state,
      sentBytes: r.sentBytes,
      totalsentBytes: r.totalsentBytes,
      sentTime: r.sentTime,
      bitrate: r.bitrate ?? 0,
      droppedFrames: r.droppedFrames ?? 0,
      sequence: r.sequence,
    })),
    streams: hub.liveStreams().map((s) => ({
      vhost: s.ref.vhost,
      app: s.ref.app,
      name: s.ref.name,
      bytesIn: s.bytesReceived,
      bitrate: meter.streamBitrate(meterKey(s.ref)) ?? 0,
    })),
  };
}
