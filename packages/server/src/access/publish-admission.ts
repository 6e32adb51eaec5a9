/**
 * PublishAdmission: the provider-agnostic "may this publish start?" of a server. An ingest
 * (RTMP now, SRT the same way) calls `admit()` once it knows what is published, before any
 * media reaches the hub, and does what the answer says:
 *
 * ```ts
 * const decision = await admission.admit({ vhost, app, stream, query, protocol: 'srt',
 *   remoteAddress, remotePort, url: `srt://host:port/${app}/${stream}?${query}` });
 * if (decision.outcome === 'refused') { admission.report(...); close with decision.reason; return; }
 * // publish to decision.vhost / .app / .stream (rewritten by new_url when outcome is 'rewritten'),
 * // end it at decision.deadline (lifetime or stream_expire) and call decision.ended() when it ends.
 * ```
 *
 * Per virtual host, for the protocols in their `<Enables><Providers>`: SignedPolicy first,
 * then AdmissionWebhooks (both must pass, as OvenMediaEngine does). A vhost with neither
 * admits at once. `url` is what the encoder was given, with the port and the query
 * (`rtmp://host:1935/app/stream?policy=..&signature=..`): the signature covers it.
 * Every refusal an ingest reports is counted by cause and passed to `onRefused`.
 */
import type { VirtualHostTable } from '../hub/virtual-host-table.js';
import type { Logger } from '../log/logger.js';
import type { PublishRefusedEvent } from '../observe/server-events.js';
import { AdmissionWebhook, type AdmissionWebhookOptions, type WebhookPublish } from './admission-webhook.js';
import { appliesTo } from './access-config.js';
import { RefusalCounters, type Refusal, type RefusalCause } from './refusal.js';
import { checkSignedPolicy } from './signed-policy.js';

/** A publish asking to start. */
export interface PublishRequest {
  vhost: string;
  app: string;
  /** The stream name without its query. */
  stream: string;
  /** The query of the stream name ('' when none), e.g. `policy=..&signature=..`. */
  query: string;
  /** The ingest protocol: `rtmp`, `srt`, ... */
  protocol: string;
  remoteAddress: string;
  remotePort: number;
  /** The URL the encoder published to, with its port and query. */
  url: string;
}

/** An admitted publish: where it goes and until when. */
export interface AdmittedPublish {
  /** 'rewritten' when the control server's new_url moved it. */
  outcome: 'allowed' | 'rewritten';
  vhost: string;
  app: string;
  stream: string;
  /** When the publish must end (ms since the epoch: the earlier of lifetime and stream_expire), if ever. */
  deadline: number | undefined;
  /** Why it ends then (for the log). */
  deadlineReason: string | undefined;
  /** Call once when the publish ends: sends the webhook's closing notice (if a webhook admitted it). */
  ended(): void;
}

/** A refused publish. */
export interface RefusedPublish extends Refusal {
  outcome: 'refused';
}

/** What admit() answers. */
export type AdmissionDecision = AdmittedPublish | RefusedPublish;

/**
 * A refused publish as reported to the server's event bus (`publish.refused`), with its
 * cause (also for refusals of the ingest itself: unknown app, name in use).
 */
export interface RefusedPublishEvent extends PublishRefusedEvent {
  cause: RefusalCause;
}

/** Options of a PublishAdmission. */
export interface PublishAdmissionOptions {
  log: Logger;
  /** Called for every reported refusal. */
  onRefused?: (event: RefusedPublishEvent) => void;
  /** Limits and fetch of the webhooks. */
  webhook?: AdmissionWebhookOptions;
  /** The clock (ms since the epoch). */
  now?: () => number;
  /** Where refusals are counted (the server shares it with its metrics); default: a new one. */
  refusals?: RefusalCounters;
}

/** The admission of one server (every virtual host). */
export class PublishAdmission {
  /** Reported refusals by protocol and cause: the one count (metrics read it). */
  readonly refusals: RefusalCounters;
  private readonly webhooks = new Map<string, AdmissionWebhook>();
  private readonly now: () => number;

  constructor(
    private readonly vhosts: VirtualHostTable,
    private readonly options: PublishAdmissionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.refusals = options.refusals ?? new RefusalCounters();
    for (const vhost of vhosts.virtualHosts)
      if (vhost.admissionWebhooks !== undefined)
        this.webhooks.set(vhost.name, new AdmissionWebhook(vhost.admissionWebhooks, options.webhook));
  }

  /** The webhook of a virtual host, if it has one. */
  webhookOf(vhost: string): AdmissionWebhook | undefined {
    return this.webhooks.get(vhost);
  }

  /** Decides on a publish. Never rejects. */
  async admit(request: PublishRequest): Promise<AdmissionDecision> {
    const vhost = this.vhosts.byName(request.vhost);
    const target = { vhost: request.vhost, app: request.app, stream: request.stream };
    let deadline: number | undefined;
    let deadlineReason: string | undefined;
    const policy = vhost?.signedPolicy;
    if (policy !== undefined && appliesTo(policy.providers, request.protocol)) {
      const passed = checkSignedPolicy(policy, request.url, request.remoteAddress, this.now());
      if (!passed.ok) return { outcome: 'refused', cause: passed.cause, reason: passed.reason };
      if (passed.streamExpireAt !== undefined) {
        deadline = passed.streamExpireAt;
        deadlineReason = `stream_expire ${new Date(passed.streamExpireAt).toISOString()} reached`;
      }
    }
    const webhook = this.webhooks.get(request.vhost);
    if (webhook === undefined || !appliesTo(webhook.config.providers, request.protocol))
      return { outcome: 'allowed', ...target, deadline, deadlineReason, ended: () => undefined };
    const publish: WebhookPublish = {
      address: request.remoteAddress,
      port: request.remotePort,
      protocol: request.protocol,
      url: request.url,
    };
    const verdict = await webhook.opening(publish);
    if (!verdict.allowed) return { outcome: 'refused', cause: verdict.cause, reason: verdict.reason };
    if (verdict.lifetimeMs !== undefined) {
      const end = this.now() + verdict.lifetimeMs;
      if (deadline === undefined || end < deadline) {
        deadline = end;
        deadlineReason = `lifetime of ${verdict.lifetimeMs} ms from the control server ended`;
      }
    }
    let rewritten = target;
    if (verdict.newUrl !== undefined) {
      const moved = this.resolveNewUrl(verdict.newUrl);
      if (typeof moved === 'string') return { outcome: 'refused', cause: 'rewrite-invalid', reason: moved };
      rewritten = moved;
    }
    let ended = false;
    return {
      outcome: verdict.newUrl !== undefined ? 'rewritten' : 'allowed',
      ...rewritten,
      deadline,
      deadlineReason,
      ended: () => {
        if (ended) return;
        ended = true;
        void webhook.closing(publish, verdict.newUrl).then((failure) => {
          if (failure !== undefined)
            this.options.log.warn(`closing notice not delivered: ${failure}`, { url: publish.url });
        });
      },
    };
  }

  /** Counts a refusal and passes it to onRefused. */
  report(event: RefusedPublishEvent): void {
    this.refusals.add(event.cause, event.protocol);
    this.options.onRefused?.(event);
  }

  /** vhost/app/stream of a new_url (`scheme://host[:port]/app/stream[?query]`), or what is wrong with it. */
  private resolveNewUrl(newUrl: string): { vhost: string; app: string; stream: string } | string {
    const m = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]*\]|[^/?#:]*)(?::\d+)?\/([^/?#]+)\/([^/?#]+)/i.exec(newUrl);
    if (m === null) return `admission webhook: new_url "${newUrl}" is not scheme://host[:port]/app/stream`;
    const vhost = this.vhosts.forHost(m[1] ?? '');
    if (vhost === undefined) return `admission webhook: no virtual host serves the host of new_url "${newUrl}"`;
    return { vhost: vhost.name, app: decodeSafe(m[2] ?? ''), stream: decodeSafe(m[3] ?? '') };
  }
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
