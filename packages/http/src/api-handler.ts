/**
 * createApiHandler: the whole REST API as a Fetch-standard handler
 * `(request: Request) => Promise<Response>`, usable in any runtime that has
 * `node:crypto` (Node, Deno, Bun). The API is documented in docs/API.md.
 */
import type { PushProtocolInfo, PushService } from '@sluice/push';
import { ApiRequestProcessor, type ApiProcessorSettings, type ApiRequestParts } from './api-request-processor.js';
import { DEFAULT_AUTH_FAILURE_LIMITS, type AuthFailureLimits } from './auth-failure-limiter.js';
import type { StreamCatalogue } from './catalogue.js';
import type { ApiResult, ResultStream } from './envelope.js';
import { HttpApiConfigError } from './errors.js';
import { readBodyBytes } from './json-body.js';
import type { EventFeed } from './routes/event-feed.js';
import { DEFAULT_EVENT_STREAM_SETTINGS, type EventStreamSettings } from './routes/events-route.js';
import type { MetricsSource, StatsSource } from './routes/stats-route.js';

/** Options of createApiHandler. */
export interface ApiHandlerOptions {
  /** The push registry (`PushRegistry` of @sluice/push). */
  push: PushService;
  /** The push protocols the registry serves (the server's list): streamKey rules and the OpenAPI text. */
  protocols: readonly PushProtocolInfo[];
  /** Vhosts, apps, streams and tracks (implemented by the server). */
  catalogue: StreamCatalogue;
  /** `<Managers><API><AccessToken>`; must be non-empty. */
  accessToken: string;
  /** `<CrossDomains>` entries: `*`, exact origins or `*.example.com` patterns. Default: none (no CORS headers). */
  crossDomains?: readonly string[] | undefined;
  /** Largest accepted request body in bytes; bigger → 413. Default 65536. */
  maxBodyBytes?: number | undefined;
  /** Reported by `GET /v1/version`. */
  version: string;
  /** Realm of the `WWW-Authenticate: Basic realm="..."` challenge. Default `Sluice`. */
  realm?: string | undefined;
  /**
   * Failed authentications per client address before 429 + Retry-After (default 20 a
   * minute, 10000 addresses tracked); false: no limit. Needs the client's address: the
   * node adapter passes the socket's, a Fetch handler's caller passes `{ remoteAddress }`.
   */
  authFailureLimit?: Partial<AuthFailureLimits> | false | undefined;
  /** Called with errors that are not the client's fault (answered 500). Default: none. */
  onError?: ((error: unknown) => void) | undefined;
  /** The events of `GET /v1/events` (Server-Sent Events); absent: that route answers 404. */
  events?: EventFeed | undefined;
  /** Heartbeat period, slow-reader bound and `retry` of the event stream. */
  eventStream?: Partial<EventStreamSettings> | undefined;
  /** `GET /v1/stats/current/...` (OvenMediaEngine's stats); absent: 404. */
  stats?: StatsSource | undefined;
  /** `GET /metrics` (Prometheus text); absent: 404. */
  metrics?: MetricsSource | undefined;
  /** Called once per answered request with its route template (`unmatched` for none) and status. */
  onRequestDone?: ((route: string, status: number) => void) | undefined;
}

/** Where a request came from (for the failed-authentication limit). */
export interface ApiClientInfo {
  remoteAddress?: string | undefined;
}

/** A Fetch-standard request handler; `client` gives the peer's address when the runtime knows it. */
export type ApiHandler = (request: Request, client?: ApiClientInfo) => Promise<Response>;

/** Default body limit: 64 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Symbol under which an ApiHandler carries its processor (lets the node adapter skip Request/Response). */
export const API_PROCESSOR = Symbol('sluice.apiProcessor');

/** An ApiHandler made by createApiHandler. */
export type ProcessorCarrier = ApiHandler & { readonly [API_PROCESSOR]?: ApiRequestProcessor };

/**
 * Creates the REST API handler. Throws HttpApiConfigError for unusable options
 * (empty access token, bad body limit, realm with quotes, unparsable crossDomains entry).
 */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const processor = new ApiRequestProcessor(validateOptions(options));
  const handler = async (request: Request, client?: ApiClientInfo): Promise<Response> => {
    const url = new URL(request.url);
    const parts: ApiRequestParts = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      header: (name) => request.headers.get(name),
      clientAddress: client?.remoteAddress,
      readBody: (limit) => readBodyBytes(request.body, limit),
    };
    return toResponse(await processor.process(parts));
  };
  return Object.assign(handler, { [API_PROCESSOR]: processor });
}

/** Turns an ApiResult into a Fetch Response. */
function toResponse(result: ApiResult): Response {
  const body = result.stream === undefined ? result.body : webStream(result.stream);
  return new Response(body, { status: result.status, headers: result.headers });
}

/** A streamed result as a web ReadableStream; `bufferedBytes` is what the reader has not taken yet. */
function webStream(stream: ResultStream): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let queued = 0;
  let closeListener: (() => void) | undefined;
  let closed = false;
  const closeOnce = (): void => {
    if (closed) return;
    closed = true;
    closeListener?.();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.start({
        write: (text) => {
          if (closed) return;
          const bytes = encoder.encode(text);
          queued += bytes.byteLength;
          controller.enqueue(bytes);
        },
        get bufferedBytes() {
          return queued;
        },
        abort: () => {
          if (closed) return;
          controller.error(new Error('event stream reader too slow'));
          closeOnce();
        },
        onClose: (listener) => {
          closeListener = listener;
        },
      });
    },
    pull() {
      queued = 0; // the reader asked for more: everything queued so far was taken
    },
    cancel() {
      closeOnce();
    },
  });
}

/** Checks the options and fills in defaults. */
function validateOptions(options: ApiHandlerOptions): ApiProcessorSettings {
  if (typeof options.accessToken !== 'string' || options.accessToken === '') {
    throw new HttpApiConfigError(
      'accessToken',
      'accessToken must be a non-empty string (an empty token would mean open access)',
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new HttpApiConfigError(
      'maxBodyBytes',
      `maxBodyBytes must be a positive integer, got ${String(options.maxBodyBytes)}`,
    );
  }
  const realm = options.realm ?? 'Sluice';
  if (!/^[\x20-\x7e]+$/.test(realm) || realm.includes('"') || realm.includes('\\')) {
    throw new HttpApiConfigError('realm', 'realm must be printable ASCII without quotes or backslashes');
  }
  if (typeof options.version !== 'string') throw new HttpApiConfigError('version', 'version must be a string');
  if (typeof options.push !== 'object' || options.push === null)
    throw new HttpApiConfigError('push', 'push must be a PushService');
  if (!Array.isArray(options.protocols))
    throw new HttpApiConfigError('protocols', 'protocols must be an array of push protocols');
  if (typeof options.catalogue !== 'object' || options.catalogue === null)
    throw new HttpApiConfigError('catalogue', 'catalogue must be a StreamCatalogue');
  return {
    push: options.push,
    protocols: options.protocols,
    catalogue: options.catalogue,
    accessToken: options.accessToken,
    crossDomains: options.crossDomains ?? [],
    maxBodyBytes,
    version: options.version,
    realm,
    authFailureLimits:
      options.authFailureLimit === false ? null : { ...DEFAULT_AUTH_FAILURE_LIMITS, ...options.authFailureLimit },
    onError: options.onError,
    events: options.events,
    eventStream: { ...DEFAULT_EVENT_STREAM_SETTINGS, ...options.eventStream },
    stats: options.stats,
    metrics: options.metrics,
    onRequestDone: options.onRequestDone,
  };
}
