/**
 * WebhookDispatcher: every `<Webhook>` of `<Managers><Webhooks>` as a WebhookEndpoint fed
 * by the event bus (each kept event, already serialized once, is offered to each
 * endpoint), its counters as Prometheus series read at scrape time, and the drain on shutdown.
 */
import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../log/logger.js';
import type { EventBus } from '../observe/event-bus.js';
import type { ServerMetrics } from '../observe/server-metrics.js';
import type { WebhooksConfig } from './webhook-config.js';
import { WebhookEndpoint, type DropReason } from './webhook-endpoint.js';

/** What createWebhookDispatcher needs. */
export interface WebhookDispatcherContext {
  config: WebhooksConfig;
  bus: EventBus;
  /** Where the `sluice_webhook_*` series go (none without). */
  metrics?: ServerMetrics | undefined;
  log: Logger;
  /** `User-Agent` of the requests. */
  userAgent: string;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch | undefined;
}

/** The running webhooks of a server. */
export interface WebhookDispatcher {
  readonly endpoints: readonly WebhookEndpoint[];
  /** Stops taking events, delivers what is queued until `<DrainTimeout>`, drops the rest. */
  close(): Promise<void>;
}

const DROP_REASONS: readonly DropReason[] = ['overflow', 'expired', 'shutdown'];

/** Subscribes one endpoint per `<Webhook>` to the bus. */
export function createWebhookDispatcher(ctx: WebhookDispatcherContext): WebhookDispatcher {
  const { config, bus, log } = ctx;
  const endpoints = config.webhooks.map(
    (webhook) => new WebhookEndpoint(webhook, { log, userAgent: ctx.userAgent, fetch: ctx.fetch }),
  );
  const stop =
    endpoints.length === 0
      ? () => undefined
      : bus.onPublished((entry) => {
          for (const endpoint of endpoints) endpoint.offer(entry);
        });
  if (ctx.metrics !== undefined && endpoints.length > 0) defineWebhookSeries(ctx.metrics, endpoints);
  for (const endpoint of endpoints)
    log.info(`webhook ${endpoint.config.name}: sending events`, {
      url: endpoint.shownUrl,
      events: [...endpoint.config.events].join(','),
    });
  let closing: Promise<void> | undefined;
  return {
    endpoints,
    close: () => {
      closing ??= (async () => {
        stop();
        await Promise.all(endpoints.map((e) => e.close(config.drainTimeoutMs)));
      })();
      return closing;
    },
  };
}

function defineWebhookSeries(metrics: ServerMetrics, endpoints: readonly WebhookEndpoint[]): void {
  const registers = [metrics.prometheus];
  const labelNames = ['webhook'] as const;
  const deliveries = new Counter({
    name: 'sluice_webhook_deliveries_total',
    help: 'Events a webhook receiver accepted (a 2xx answer).',
    labelNames,
    registers,
  });
  const failures = new Counter({
    name: 'sluice_webhook_failures_total',
    help: 'Webhook requests that failed (no 2xx answer within the timeout, refused, reset).',
    labelNames,
    registers,
  });
  const retries = new Counter({
    name: 'sluice_webhook_retries_total',
    help: 'Webhook requests that were a retry of an event.',
    labelNames,
    registers,
  });
  const depth = new Gauge({
    name: 'sluice_webhook_queue_depth',
    help: 'Events waiting for a webhook receiver, the one being sent included.',
    labelNames,
    registers,
  });
  const dropped = new Counter({
    name: 'sluice_webhook_dropped_total',
    help: 'Events given up: overflow (queue full), expired (retry window over), shutdown (drain deadline).',
    labelNames: ['webhook', 'reason'],
    registers,
  });
  metrics.beforeScrape(() => {
    for (const metric of [deliveries, failures, retries, depth, dropped]) metric.reset();
    for (const endpoint of endpoints) {
      const labels = { webhook: endpoint.config.name };
      const c = endpoint.counters;
      deliveries.inc(labels, c.deliveries);
      failures.inc(labels, c.failures);
      retries.inc(labels, c.retries);
      depth.set(labels, endpoint.depth);
      for (const reason of DROP_REASONS) dropped.inc({ ...labels, reason }, c.dropped[reason]);
    }
  });
}
