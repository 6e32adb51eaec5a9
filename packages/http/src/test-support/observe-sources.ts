/** Small observability sources for the handler's tests: a feed in memory, stats over a catalogue, fixed metrics. */
import type { StreamCatalogue } from '../catalogue.js';
import type { EventFeed, FeedEntry } from '../routes/event-feed.js';
import type { MetricsSource, StatsSource, StatsView } from '../routes/stats-route.js';

/** A feed that keeps every entry; ids are `t-{n}`. */
export function memoryEventFeed(): EventFeed & { push(type: string, payload: object): void } {
  const kept: FeedEntry[] = [];
  let listeners: Array<(entry: FeedEntry) => void> = [];
  return {
    push(type, payload) {
      const entry = { id: `t-${kept.length + 1}`, type, data: JSON.stringify({ type, ...payload }) };
      kept.push(entry);
      for (const l of listeners) l(entry);
    },
    since: (id) =>
      /^t-\d+$/.test(id) && Number(id.slice(2)) <= kept.length ? kept.slice(Number(id.slice(2))) : undefined,
    position: () => `t-${kept.length}`,
    subscribe(listener) {
      listeners.push(listener);
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },
  };
}

const EPOCH = '1970-01-01T00:00:00.000+0000';

/** Zero stats for every vhost/app of the catalogue and each of its streams. */
export function catalogueStats(catalogue: StreamCatalogue): StatsSource {
  const view = (): StatsView => ({
    createdTime: EPOCH,
    lastUpdatedTime: EPOCH,
    totalBytesIn: 0,
    totalBytesOut: 0,
    totalConnections: 0,
    maxTotalConnections: 0,
    maxTotalConnectionTime: EPOCH,
    lastRecvTime: EPOCH,
    lastSentTime: EPOCH,
    connections: { push: 0, rtmp: 0 },
  });
  return {
    vhost: async (vhost) => ((await catalogue.apps(vhost)) === undefined ? undefined : view()),
    app: async (vhost, app) => ((await catalogue.apps(vhost))?.some((a) => a.name === app) ? view() : undefined),
    stream: async (vhost, app, stream) =>
      (await catalogue.stream(vhost, app, stream)) === undefined ? undefined : view(),
  };
}

/** A fixed exposition. */
export const fixedMetrics: MetricsSource = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  render: () => Promise.resolve('# HELP up Up.\n# TYPE up gauge\nup 1\n'),
};
