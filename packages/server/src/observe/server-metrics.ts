/**
 * ServerMetrics: the Prometheus exposition of `/metrics` (prom-client, a registry of its
 * own). Everything about pushes and streams is read at scrape time from the counters they
 * keep anyway — no per-packet work — and the per-push and per-stream series are rebuilt
 * at each scrape, so a removed push's series are gone from the next one. Counted as they
 * happen: API requests (route template × status). Publish refusals are read at scrape
 * time from the one count of them (RefusalCounters: protocol × cause).
 */
import type { MetricsSource } from '@sluice/http';
import type { PushRegistry, PushState } from '@sluice/push';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { REFUSAL_CAUSES, type RefusalCounters } from '../access/refusal.js';
import { type StreamHub } from '../hub/stream-hub.js';
import { meterKey, type TrafficMeter } from './traffic-meter.js';

const PUSH_STATES: readonly PushState[] = ['ready', 'connecting', 'pushing', 'stopping', 'stopped', 'error'];
const PUSH_LABELS = ['vhost', 'app', 'stream', 'id', 'protocol'] as const;
const STREAM_LABELS = ['vhost', 'app', 'stream', 'source_type'] as const;
/** prom-client's default gauges whose names end in `_total` (promtool: only counters may). */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** A scrape-time reader of more series (webhooks, the event stream). */
export type MetricsContributor = (registry: Registry) => void;

/** What ServerMetrics reads. */
export interface ServerMetricsContext {
  registry: PushRegistry;
  hub: StreamHub;
  meter: TrafficMeter;
  /** Ingest protocol names, so each has a series even with no connection. */
  ingestProtocols: readonly string[];
  /** The refused publishes (PublishAdmission's count). */
  refusals: RefusalCounters;
  /** Collect Node's process metrics (event loop lag, heap, RSS, open fds, ...); default true. */
  processMetrics?: boolean | undefined;
}

/** How often the event loop lag histogram samples (ms). */
const EVENT_LOOP_SAMPLE_MS = 100;

/** The metrics of one server. */
export class ServerMetrics implements MetricsSource {
  readonly prometheus = new Registry();
  readonly contentType: string;
  private readonly startedAt = Date.now();
  private readonly refreshers: Array<() => void> = [];
  private readonly apiRequests: Counter<'route' | 'status'>;

  constructor(private readonly ctx: ServerMetricsContext) {
    this.contentType = this.prometheus.contentType;
    if (ctx.processMetrics !== false) {
      // the event loop lag histogram samples every 100 ms (prom-client's default of 10 ms
      // wakes an idle server 100 times a second); the lag itself is still measured in ns
      collectDefaultMetrics({ register: this.prometheus, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
      // gauges named *_total: promtool (rightly) flags them; the handle counts are not worth a lint failure
      for (const name of NON_COUNTER_TOTALS) this.prometheus.removeSingleMetric(name);
    }
    const registers = [this.prometheus];
    this.apiRequests = new Counter({
      name: 'sluice_api_requests_total',
      help: 'REST API requests answered, by route template and status.',
      labelNames: ['route', 'status'],
      registers,
    });
    const refusals = new Counter({
      name: 'sluice_publish_refusals_total',
      help: `Publishes refused, by ingest protocol and cause (${REFUSAL_CAUSES.join(', ')}).`,
      labelNames: ['protocol', 'cause'],
      registers,
    });
    this.refreshers.push(() => {
      refusals.reset();
      ctx.refusals.forEach((protocol, cause, count) => refusals.inc({ protocol, cause }, count));
    });
    this.definePushSeries();
    this.defineStreamSeries();
    // the push store (a full or read-only data dir): pushes go on, these say it
    const storeErrors = new Counter({
      name: 'sluice_push_store_errors_total',
      help: 'Push store operations that failed (the pushes went on; their state may not survive a restart).',
      registers,
    });
    const storeErrorAt = new Gauge({
      name: 'sluice_push_store_last_error_timestamp_seconds',
      help: 'When a push store operation last failed (Unix time; 0: never).',
      registers,
    });
    storeErrorAt.set(0);
    ctx.registry.on('storeError', () => {
      storeErrors.inc();
      storeErrorAt.set(Date.now() / 1000);
    });
    const uptime = new Gauge({
      name: 'sluice_uptime_seconds',
      help: 'Seconds since the server was created.',
      registers,
    });
    this.refreshers.push(() => uptime.set((Date.now() - this.startedAt) / 1000));
  }

  /** Counts one answered API request. */
  requestDone(route: string, status: number): void {
    this.apiRequests.inc({ route, status: String(status) });
  }

  /** Adds a scrape-time reader of more series. */
  contribute(contributor: MetricsContributor): void {
    contributor(this.prometheus);
  }

  /** Runs `refresh` before each scrape. */
  beforeScrape(refresh: () => void): void {
    this.refreshers.push(refresh);
  }

  /** The exposition text, read now. */
  async render(): Promise<string> {
    for (const refresh of this.refreshers) refresh();
    return this.prometheus.metrics();
  }

  private definePushSeries(): void {
    const registers = [this.prometheus];
    const labelNames = PUSH_LABELS;
    const state = new Gauge({
      name: 'sluice_push_state',
      help: 'Push state, one-hot: 1 for the state the push is in.',
      labelNames: [...labelNames, 'state'],
      registers,
    });
    const sent = new Counter({
      name: 'sluice_push_sent_bytes_total',
      help: 'Bytes the kernel accepted for the push, over all its sessions.',
      labelNames,
      registers,
    });
    const sessions = new Counter({
      name: 'sluice_push_sessions_total',
      help: 'Sessions the push has completed (each reconnect ends one).',
      labelNames,
      registers,
    });
    const dropped = new Counter({
      name: 'sluice_push_dropped_frames_total',
      help: 'Frames the push dropped (whole GOPs) because the destination was slower than the stream.',
      labelNames,
      registers,
    });
    const discontinuities = new Counter({
      name: 'sluice_push_discontinuities_total',
      help: 'Source timestamp discontinuities the push absorbed (0 until the wire layer counts them).',
      labelNames,
      registers,
    });
    const bitrate = new Gauge({
      name: 'sluice_push_send_rate_bytes_per_second',
      help: "Bytes per second the push sent over the last ~5 s (the record's bitrate / 8; base units for Prometheus).",
      labelNames,
      registers,
    });
    const retransmitted = new Counter({
      name: 'sluice_push_retransmitted_packets_total',
      help: 'Data packets the push sent again to repair losses (protocols that recover losses: srt), over all its sessions.',
      labelNames,
      registers,
    });
    const tooLate = new Counter({
      name: 'sluice_push_too_late_dropped_packets_total',
      help: 'Data packets the push gave up unacknowledged because they were too late to be played (srt), over all its sessions.',
      labelNames,
      registers,
    });
    this.refreshers.push(() => {
      for (const metric of [state, sent, sessions, dropped, discontinuities, bitrate, retransmitted, tooLate])
        metric.reset();
      for (const r of this.ctx.registry.listPushes()) {
        const labels = { vhost: r.vhost, app: r.app, stream: r.stream.name, id: r.id, protocol: r.protocol };
        for (const s of PUSH_STATES) state.set({ ...labels, state: s }, s === r.state ? 1 : 0);
        sent.inc(labels, r.totalsentBytes);
        sessions.inc(labels, r.sequence);
        dropped.inc(labels, r.droppedFrames ?? 0);
        discontinuities.inc(labels, r.discontinuities ?? 0);
        bitrate.set(labels, (r.bitrate ?? 0) / 8);
        if (r.retransmittedPackets !== undefined) retransmitted.inc(labels, r.retransmittedPackets);
        if (r.droppedPackets !== undefined) tooLate.inc(labels, r.droppedPackets);
      }
    });
  }

  private defineStreamSeries(): void {
    const registers = [this.prometheus];
    const labelNames = STREAM_LABELS;
    const received = new Counter({
      name: 'sluice_stream_received_bytes_total',
      help: 'Bytes read from the publisher of the stream (its current publication), at the ingest socket.',
      labelNames,
      registers,
    });
    const bitrate = new Gauge({
      name: 'sluice_stream_receive_rate_bytes_per_second',
      help: 'Bytes per second received for the stream over the last ~5 s (bit rate / 8).',
      labelNames,
      registers,
    });
    const tracks = new Gauge({ name: 'sluice_stream_tracks', help: 'Tracks of the stream.', labelNames, registers });
    const discontinuities = new Counter({
      name: 'sluice_stream_discontinuities_total',
      help: 'Timestamp discontinuities absorbed in the stream (0 until the wire layer counts them).',
      labelNames,
      registers,
    });
    const subscribers = new Gauge({
      name: 'sluice_stream_subscribers',
      help: 'Pushes subscribed to the stream.',
      labelNames,
      registers,
    });
    const ingest = new Gauge({
      name: 'sluice_ingest_connections',
      help: 'Publishers connected, by ingest protocol.',
      labelNames: ['protocol'],
      registers,
    });
    this.refreshers.push(() => {
      for (const metric of [received, bitrate, tracks, discontinuities, subscribers, ingest]) metric.reset();
      const byProtocol = new Map<string, number>(this.ctx.ingestProtocols.map((p) => [p, 0]));
      for (const s of this.ctx.hub.liveStreams()) {
        const labels = { vhost: s.ref.vhost, app: s.ref.app, stream: s.ref.name, source_type: s.sourceType };
        received.inc(labels, s.bytesReceived);
        bitrate.set(labels, (this.ctx.meter.streamBitrate(meterKey(s.ref)) ?? 0) / 8);
        tracks.set(labels, s.tracks.length);
        discontinuities.inc(labels, s.discontinuities);
        subscribers.set(labels, this.ctx.hub.subscriberCount(s.ref));
        byProtocol.set(s.sourceType, (byProtocol.get(s.sourceType) ?? 0) + 1);
      }
      for (const [protocol, count] of byProtocol) ingest.set({ protocol }, count);
    });
  }
}
