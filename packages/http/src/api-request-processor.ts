/**
 * The request pipeline behind createApiHandler, free of Fetch `Request`/`Response`
 * so the node adapter can drive it directly: CORS preflight → route → auth →
 * vhost/app → body → action; every failure becomes the contract's envelope.
 */
import type { PushProtocolInfo, PushRecord, PushService } from '@sluice/push';
import { AuthFailureLimiter, type AuthFailureLimits } from './auth-failure-limiter.js';
import { BasicTokenAuth } from './basic-auth.js';
import type { CatalogueStream, CatalogueTrack, StreamCatalogue } from './catalogue.js';
import { CorsPolicy } from './cors-policy.js';
import { errorResult, JSON_CONTENT_TYPE, noContentResult, successResult, type ApiResult } from './envelope.js';
import { ApiError } from './errors.js';
import { parseJsonBody, tooLarge } from './json-body.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { apiErrorFromPushError } from './push-error-table.js';
import { parsePushesBody, parseStartPushBody, parseStopPushBody } from './push-request.js';
import { matchRoute, type RouteMatch } from './routes.js';
import type { EventFeed } from './routes/event-feed.js';
import { eventStreamResult, type EventStreamSettings } from './routes/events-route.js';
import type { MetricsSource, StatsSource } from './routes/stats-route.js';

/** One request, as the processor needs it. */
export interface ApiRequestParts {
  method: string;
  /** Raw path (percent-encoded), starting with `/v1/` for API routes. */
  path: string;
  query: URLSearchParams | null;
  /** A request header by lower-case name, or null. */
  header(name: string): string | null;
  /** The client's IP address (rate limit of failed authentication); undefined: not limited. */
  clientAddress?: string | undefined;
  /** Reads the whole body, throwing ApiError(413) past `limit` bytes. */
  readBody(limit: number): Promise<Uint8Array>;
  /** `address:port` of the client, when known (logs). */
  remote?: string | undefined;
}

/** Settings of the processor (validated by createApiHandler). */
export interface ApiProcessorSettings {
  push: PushService;
  protocols: readonly PushProtocolInfo[];
  catalogue: StreamCatalogue;
  accessToken: string;
  crossDomains: readonly string[];
  maxBodyBytes: number;
  version: string;
  realm: string;
  /** Failed authentications per address before 429; null: no limit. */
  authFailureLimits: AuthFailureLimits | null;
  onError?: ((error: unknown) => void) | undefined;
  /** `/v1/events`; absent: the route answers 404. */
  events?: EventFeed | undefined;
  eventStream: EventStreamSettings;
  /** `/v1/stats/current/...`; absent: 404. */
  stats?: StatsSource | undefined;
  /** `/metrics`; absent: 404. */
  metrics?: MetricsSource | undefined;
  /** Called once per answered request with the route template (or `unmatched`) and the status. */
  onRequestDone?: ((route: string, status: number) => void) | undefined;
}

const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-max-age': '600',
};

/** Answers API requests. */
export class ApiRequestProcessor {
  private readonly auth: BasicTokenAuth;
  private readonly cors: CorsPolicy;
  private readonly authFailures: AuthFailureLimiter | null;
  private openApiBody: string | null = null;

  constructor(private readonly settings: ApiProcessorSettings) {
    this.auth = new BasicTokenAuth(settings.accessToken, settings.realm);
    this.cors = new CorsPolicy(settings.crossDomains);
    this.authFailures = settings.authFailureLimits === null ? null : new AuthFailureLimiter(settings.authFailureLimits);
  }

  /** Answers one request; never rejects. */
  async process(request: ApiRequestParts): Promise<ApiResult> {
    const corsHeaders = this.cors.responseHeaders(request.header('origin'));
    let result: ApiResult;
    const match = request.method === 'OPTIONS' ? null : matchRoute(request.method, request.path);
    try {
      result =
        request.method === 'OPTIONS' ? this.preflight(request, corsHeaders) : await this.dispatch(request, match);
    } catch (error) {
      result = this.failure(error);
    }
    Object.assign(result.headers, corsHeaders);
    this.settings.onRequestDone?.(match?.route.path ?? 'unmatched', result.status);
    return result;
  }

  private preflight(request: ApiRequestParts, corsHeaders: Record<string, string>): ApiResult {
    if (corsHeaders['access-control-allow-origin'] === undefined) return noContentResult();
    const requested = request.header('access-control-request-headers');
    return noContentResult({
      ...PREFLIGHT_HEADERS,
      'access-control-allow-headers': requested ?? 'Authorization, Content-Type',
    });
  }

  private failure(error: unknown): ApiResult {
    const apiError = error instanceof ApiError ? error : apiErrorFromPushError(error);
    if (apiError !== null) return errorResult(apiError.status, apiError.message, apiError.headers);
    this.settings.onError?.(error);
    return errorResult(500, 'Internal server error');
  }

  private async dispatch(request: ApiRequestParts, match: RouteMatch | null): Promise<ApiResult> {
    if (match === null) throw new ApiError(404, 'Controller not found');
    // the token first: a client without it cannot even tell which optional routes are served
    if (match.route.action === 'events') this.authenticate(request, () => this.checkEventsToken(request));
    else if (match.route.auth) this.authenticate(request, () => this.auth.check(request.header('authorization')));
    if (!this.serves(match)) throw new ApiError(404, 'Controller not found');
    if (match.route.action === 'events') return this.events(request);
    const { vhost = '', app = '', stream = '' } = match.params;
    switch (match.route.action) {
      case 'metrics':
        return this.metricsText();
      case 'vhostStats':
      case 'appStats':
      case 'streamStats':
        return this.statsOf(match, vhost, app, stream);
      case 'openapi':
        return this.openApi();
      case 'version':
        return successResult(200, { version: this.settings.version });
      case 'listVhosts':
        return successResult(200, [...(await this.settings.catalogue.vhosts())]);
      case 'listApps': {
        const apps = await this.settings.catalogue.apps(vhost);
        if (apps === undefined) throw vhostNotFound(vhost);
        return successResult(
          200,
          apps.map((a) => a.name),
        );
      }
      case 'listStreams': {
        await this.requireApp(vhost, app, false);
        const streams = await this.settings.catalogue.streams(vhost, app);
        if (streams === undefined) throw appNotFound(vhost, app);
        return successResult(200, [...streams]);
      }
      case 'getStream': {
        await this.requireApp(vhost, app, false);
        const found = await this.settings.catalogue.stream(vhost, app, stream);
        if (found === undefined) throw streamNotFound(vhost, app, stream);
        return successResult(200, streamView(found));
      }
      case 'startPush':
      case 'stopPush':
      case 'pushes':
        return this.pushAction(match, request, vhost, app);
    }
  }

  /** False for an observability route whose source the server did not give. */
  private serves(match: RouteMatch): boolean {
    switch (match.route.action) {
      case 'events':
        return this.settings.events !== undefined;
      case 'metrics':
        return this.settings.metrics !== undefined;
      case 'vhostStats':
      case 'appStats':
      case 'streamStats':
        return this.settings.stats !== undefined;
      default:
        return true;
    }
  }

  /** `/v1/events`: the Authorization header, or `?token=` for EventSource (which cannot set headers). */
  private checkEventsToken(request: ApiRequestParts): void {
    const header = request.header('authorization');
    const token = request.query?.get('token');
    if (header === null && token !== undefined && token !== null) this.auth.checkToken(token);
    else this.auth.check(header);
  }

  private events(request: ApiRequestParts): ApiResult {
    const lastEventId = request.header('last-event-id') ?? request.query?.get('lastEventId') ?? null;
    const feed = this.settings.events as EventFeed;
    return eventStreamResult(feed, lastEventId, this.settings.eventStream, request.remote ?? '');
  }

  private async metricsText(): Promise<ApiResult> {
    const metrics = this.settings.metrics as MetricsSource;
    const body = await metrics.render();
    return { status: 200, headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' }, body };
  }

  private async statsOf(match: RouteMatch, vhost: string, app: string, stream: string): Promise<ApiResult> {
    const stats = this.settings.stats as StatsSource;
    if (match.route.action === 'vhostStats') {
      if ((await this.settings.catalogue.apps(vhost)) === undefined) throw vhostNotFound(vhost);
      const view = await stats.vhost(vhost);
      if (view === undefined) throw vhostNotFound(vhost);
      return successResult(200, view);
    }
    await this.requireApp(vhost, app, false);
    if (match.route.action === 'appStats') {
      const view = await stats.app(vhost, app);
      if (view === undefined) throw appNotFound(vhost, app);
      return successResult(200, view);
    }
    const view = await stats.stream(vhost, app, stream);
    if (view === undefined) throw streamNotFound(vhost, app, stream);
    return successResult(200, view);
  }

  /**
   * Runs `check` (throws ApiError 401 on a bad token); an address with too many recent
   * failures gets 429 without its token being looked at, and each failure is counted.
   */
  private authenticate(request: ApiRequestParts, check: () => void): void {
    const address = request.clientAddress;
    if (this.authFailures === null || address === undefined) {
      check();
      return;
    }
    const wait = this.authFailures.retryAfterSeconds(address);
    if (wait > 0)
      throw new ApiError(429, `Too many failed authentications from this address; retry in ${wait} s`, {
        'retry-after': String(wait),
      });
    try {
      check();
    } catch (error) {
      this.authFailures.recordFailure(address);
      throw error;
    }
  }

  private async pushAction(
    match: RouteMatch,
    request: ApiRequestParts,
    vhost: string,
    app: string,
  ): Promise<ApiResult> {
    await this.requireApp(vhost, app, true);
    const push = this.settings.push;
    if (match.route.action === 'pushes') {
      // GET filters by `?id=`, POST by the body's `id`; empty means no filter either way
      const id =
        match.route.method === 'GET' ? request.query?.get('id') : parsePushesBody(await this.readJson(request));
      return listResult(
        await push.listPushes(id === undefined || id === null || id === '' ? { vhost, app } : { vhost, app, id }),
      );
    }
    const body = await this.readJson(request);
    if (match.route.action === 'startPush')
      return successResult(200, [await push.startPush(parseStartPushBody(body, vhost, app, this.settings.protocols))]);
    return successResult(200, [await push.stopPush(parseStopPushBody(body), { vhost, app })]);
  }

  private async readJson(request: ApiRequestParts): Promise<unknown> {
    const limit = this.settings.maxBodyBytes;
    const declared = request.header('content-length');
    if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
    const bytes = await request.readBody(limit);
    return parseJsonBody(bytes, request.header('content-type'));
  }

  /** Throws the contract's 404 unless vhost and app exist (and, for push actions, Push is enabled). */
  private async requireApp(vhost: string, app: string, push: boolean): Promise<void> {
    const apps = await this.settings.catalogue.apps(vhost);
    if (apps === undefined) throw vhostNotFound(vhost);
    const found = apps.find((a) => a.name === app);
    if (found === undefined) throw appNotFound(vhost, app);
    if (push && !found.pushEnabled)
      throw new ApiError(404, `Push is not enabled for the application: [${vhost}/${app}]`);
  }

  private openApi(): ApiResult {
    this.openApiBody ??= JSON.stringify(
      buildOpenApiDocument(this.settings.version, this.settings.maxBodyBytes, this.settings.protocols),
    );
    return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: this.openApiBody };
  }
}

function vhostNotFound(vhost: string): ApiError {
  return new ApiError(404, `Could not find the virtual host: [${vhost}]`);
}

function appNotFound(vhost: string, app: string): ApiError {
  return new ApiError(404, `Could not find the application: [${vhost}/${app}]`);
}

function streamNotFound(vhost: string, app: string, stream: string): ApiError {
  return new ApiError(404, `Could not find the stream: [${vhost}/${app}/${stream}]`);
}

/** 204 for no records, else 200 with the records sorted by id (code-unit order). */
function listResult(records: PushRecord[]): ApiResult {
  if (records.length === 0) return noContentResult();
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return successResult(200, sorted);
}

/** The stream as the API shows it: only the documented fields. */
function streamView(stream: CatalogueStream): Record<string, unknown> {
  const view: Record<string, unknown> = { name: stream.name };
  if (stream.sourceType !== undefined) view['sourceType'] = stream.sourceType;
  if (stream.createdTime !== undefined) view['createdTime'] = stream.createdTime;
  if (stream.discontinuities !== undefined) view['discontinuities'] = stream.discontinuities;
  view['tracks'] = stream.tracks.map(trackView);
  return view;
}

const TRACK_FIELDS = ['name', 'width', 'height', 'framerate', 'bitrate', 'samplerate', 'channels'] as const;

function trackView(track: CatalogueTrack): Record<string, unknown> {
  const view: Record<string, unknown> = { id: track.id, type: track.type, codec: track.codec };
  for (const field of TRACK_FIELDS) if (track[field] !== undefined) view[field] = track[field];
  return view;
}
