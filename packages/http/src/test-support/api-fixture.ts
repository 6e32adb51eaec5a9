/** A ready API handler over a MemoryCatalogue and a push service, with a `call` helper for tests. */
import type { PushService } from '@sluice/push';
import { createApiHandler, type ApiHandler, type ApiHandlerOptions } from '../api-handler.js';
import { MemoryCatalogue } from './memory-catalogue.js';
import { catalogueStats, fixedMetrics, memoryEventFeed } from './observe-sources.js';
import { acceptingProtocols, createRegistryService } from './registry-service.js';

export const ACCESS_TOKEN = 'ome-access-token';
/** `Basic base64(ome-access-token)`, as in the seed document. */
export const AUTHORIZATION = 'Basic b21lLWFjY2Vzcy10b2tlbg==';
export const BASE = 'http://127.0.0.1:8081';

/** The catalogue the contract tests use: default/app (push), default/nopush, other/live. */
export function testCatalogue(): MemoryCatalogue {
  return new MemoryCatalogue({
    default: {
      app: {
        pushEnabled: true,
        streams: [
          {
            name: 'stream',
            sourceType: 'rtmp',
            tracks: [
              { id: 101, type: 'video', codec: 'h264', width: 1280, height: 720, framerate: 30, bitrate: 2_500_000 },
              { id: 102, type: 'audio', codec: 'aac', samplerate: 48_000, channels: 2, bitrate: 128_000 },
            ],
          },
        ],
      },
      nopush: { pushEnabled: false },
    },
    other: { live: { pushEnabled: true } },
  });
}

/** A parsed response. */
export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: { statusCode: number; message: string; response?: unknown } | null;
}

export interface ApiFixture {
  handler: ApiHandler;
  push: PushService;
  catalogue: MemoryCatalogue;
  /** Sends a request; `body` objects are JSON-encoded, strings/bytes sent as they are. */
  call(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string>; auth?: boolean },
  ): Promise<CallResult>;
}

/** Builds the handler; `push` defaults to the real PushRegistry over the catalogue's live streams (fake sinks). */
export function createApiFixture(
  options: Partial<ApiHandlerOptions> & { push?: PushService; observability?: boolean } = {},
): ApiFixture {
  const catalogue = testCatalogue();
  const protocols = acceptingProtocols();
  const push = options.push ?? createRegistryService(catalogue, protocols);
  const { observability, ...handlerOptions } = options;
  const handler = createApiHandler({
    protocols,
    accessToken: ACCESS_TOKEN,
    version: '0.1.0-test',
    crossDomains: ['*'],
    catalogue,
    ...(observability === true
      ? { events: memoryEventFeed(), stats: catalogueStats(catalogue), metrics: fixedMetrics }
      : {}),
    ...handlerOptions,
    push,
  });
  return {
    handler,
    push,
    catalogue,
    async call(method, path, init = {}) {
      const headers: Record<string, string> = {
        ...(init.auth === false ? {} : { authorization: AUTHORIZATION }),
        ...init.headers,
      };
      let body: RequestInit['body'];
      if (init.body instanceof Uint8Array || typeof init.body === 'string') body = init.body as RequestInit['body'];
      else if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await handler(new Request(`${BASE}${path}`, { method, headers, body }));
      if (response.headers.get('content-type')?.startsWith('text/event-stream') === true) {
        // an endless body: the status and headers are what a test can check here
        await response.body?.cancel();
        return { status: response.status, headers: response.headers, text: '', json: null };
      }
      const text = await response.text();
      let json: CallResult['json'] = null;
      try {
        json = text === '' ? null : (JSON.parse(text) as CallResult['json']);
      } catch {
        json = null;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}
