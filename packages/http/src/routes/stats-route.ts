/**
 * OvenMediaEngine's statistics: `GET /v1/stats/current/vhosts/{vhost}`, `.../apps/{app}`
 * and `.../apps/{app}/streams/{stream}`, read from a StatsSource the server implements.
 */
import type { MaybePromise } from '../catalogue.js';

/** OvenMediaEngine's stats object (times in the push records' format). */
export interface StatsView {
  createdTime: string;
  lastUpdatedTime: string;
  /** Bytes received at the ingest sockets. */
  totalBytesIn: number;
  /** Bytes the kernel accepted on the push sockets. */
  totalBytesOut: number;
  /** Connections now: the sum of `connections`. */
  totalConnections: number;
  maxTotalConnections: number;
  /** When `maxTotalConnections` was reached. */
  maxTotalConnectionTime: string;
  /** When media last arrived / last went out (to the second). */
  lastRecvTime: string;
  lastSentTime: string;
  /** Connections now by kind: `push` (running pushes) and each ingest protocol. */
  connections: Record<string, number>;
}

/** Where the stats come from; undefined = not known (answered 404). */
export interface StatsSource {
  vhost(vhost: string): MaybePromise<StatsView | undefined>;
  app(vhost: string, app: string): MaybePromise<StatsView | undefined>;
  /** Undefined when the stream is not live. */
  stream(vhost: string, app: string, stream: string): MaybePromise<StatsView | undefined>;
}

/** The Prometheus exposition the server renders at scrape time. */
export interface MetricsSource {
  /** e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  render(): Promise<string>;
}
