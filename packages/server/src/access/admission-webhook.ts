/**
 * AdmissionWebhooks (OvenMediaEngine's format, per VirtualHost): on publish the control
 * server gets `POST {client, request: {direction: "incoming", protocol, status: "opening",
 * url, time}}` signed with `X-OME-Signature: base64url(HMAC-SHA1(SecretKey, body))` and
 * answers `{allowed, new_url?, lifetime?, reason?}`; when the publish ends it gets the same
 * with `status: "closing"` (and `new_url` if it rewrote the URL).
 *
 * Anything but a clear "allowed" is a refusal: no answer within `<Timeout>` (the wait for
 * a free slot counts), connection refused, a non-2xx status (redirects are not followed),
 * an answer that is not that JSON or larger than 64 KiB. Calls go through a CallLimiter:
 * a bounded number in flight, a bounded queue, refused beyond.
 */
import { CallLimiter, CallQueueFull } from './call-limiter.js';
import type { Refusal } from './refusal.js';
import { hmacSha1Base64url } from './url-signing.js';

/** `<AdmissionWebhooks>` of a virtual host. */
export interface AdmissionWebhookConfig {
  /** `<ControlServerUrl>` (http or https). */
  controlServerUrl: string;
  /** `<SecretKey>`: HMAC key of X-OME-Signature. */
  secretKey: string;
  /** `<Timeout>`, ms. */
  timeoutMs: number;
  /** `<Enables><Providers>`: the ingest protocols it applies to; undefined (no `<Enables>`): every one. */
  providers?: readonly string[] | undefined;
}

/** The publish a webhook is asked about. */
export interface WebhookPublish {
  address: string;
  port: number;
  /** `rtmp`, `srt`, ... */
  protocol: string;
  /** The URL the encoder published to (with its query). */
  url: string;
}

/** An allowed publish: maybe redirected, maybe with a lifetime. */
export interface WebhookAllowed {
  allowed: true;
  /** `new_url`: where the publish goes instead. */
  newUrl: string | undefined;
  /** `lifetime` > 0: end the publish after this many ms. */
  lifetimeMs: number | undefined;
  reason: string | undefined;
}

/** The answer to an opening request. */
export type WebhookVerdict = WebhookAllowed | ({ allowed: false } & Refusal);

/** Largest answer read. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** Options of an AdmissionWebhook. */
export interface AdmissionWebhookOptions {
  /** Calls in flight at once (default 16). */
  maxInFlight?: number;
  /** Calls waiting beyond those (default 128); more are refused at once. */
  maxQueued?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** The control server of one virtual host. */
export class AdmissionWebhook {
  readonly limiter: CallLimiter;
  private readonly fetch: typeof fetch;

  constructor(
    readonly config: AdmissionWebhookConfig,
    options: AdmissionWebhookOptions = {},
  ) {
    this.limiter = new CallLimiter(options.maxInFlight ?? 16, options.maxQueued ?? 128);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Asks whether a publish may open. Never rejects: failures are refusals. */
  async opening(publish: WebhookPublish): Promise<WebhookVerdict> {
    const answer = await this.call(publish, 'opening', undefined);
    if (!answer.ok) return { allowed: false, cause: answer.cause, reason: answer.reason };
    return readVerdict(answer.text);
  }

  /** Tells the control server a publish ended; resolves with an error's words, or undefined. */
  async closing(publish: WebhookPublish, newUrl: string | undefined): Promise<string | undefined> {
    const answer = await this.call(publish, 'closing', newUrl);
    return answer.ok ? undefined : answer.reason;
  }

  /** The JSON body of a request (exported for tests through the class). */
  body(publish: WebhookPublish, status: 'opening' | 'closing', newUrl: string | undefined, time: Date): string {
    return JSON.stringify({
      client: { address: publish.address, port: publish.port },
      request: {
        direction: 'incoming',
        protocol: publish.protocol,
        status,
        url: publish.url,
        ...(newUrl !== undefined ? { new_url: newUrl } : {}),
        time: time.toISOString(),
      },
    });
  }

  private async call(
    publish: WebhookPublish,
    status: 'opening' | 'closing',
    newUrl: string | undefined,
  ): Promise<{ ok: true; text: string } | ({ ok: false } & Refusal)> {
    const { controlServerUrl, timeoutMs, secretKey } = this.config;
    const signal = AbortSignal.timeout(timeoutMs); // the whole call, the wait for a slot included
    const timedOut = (): { ok: false } & Refusal => ({
      ok: false,
      cause: 'webhook-timeout',
      reason: `admission webhook: no answer from ${controlServerUrl} within ${timeoutMs} ms`,
    });
    try {
      return await this.limiter.run(async () => {
        if (signal.aborted) return timedOut();
        const body = this.body(publish, status, newUrl, new Date());
        const response = await this.fetch(controlServerUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'x-ome-signature': hmacSha1Base64url(secretKey, body),
          },
          body,
          redirect: 'manual',
          signal,
        });
        if (response.status < 200 || response.status > 299) {
          await response.body?.cancel().catch(() => undefined);
          return {
            ok: false,
            cause: 'webhook-status',
            reason: `admission webhook: ${controlServerUrl} answered HTTP ${response.status}`,
          };
        }
        const text = await readCapped(response);
        if (text === undefined)
          return {
            ok: false,
            cause: 'webhook-answer',
            reason: `admission webhook: the answer of ${controlServerUrl} exceeds ${MAX_ANSWER_BYTES} bytes`,
          };
        return { ok: true, text };
      });
    } catch (e) {
      if (e instanceof CallQueueFull)
        return { ok: false, cause: 'webhook-busy', reason: `admission webhook: too many calls waiting (${e.message})` };
      if (signal.aborted) return timedOut();
      return {
        ok: false,
        cause: 'webhook-unreachable',
        reason: `admission webhook: cannot reach ${controlServerUrl}: ${describeFetchError(e)}`,
      };
    }
  }
}

/** The verdict in an opening answer. */
function readVerdict(text: string): WebhookVerdict {
  const malformed = (why: string): WebhookVerdict => ({
    allowed: false,
    cause: 'webhook-answer',
    reason: `admission webhook: unusable answer (${why})`,
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformed('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('not a JSON object');
  const answer = value as Record<string, unknown>;
  const { allowed, new_url: newUrl, lifetime, reason } = answer;
  if (typeof allowed !== 'boolean') return malformed('"allowed" must be true or false');
  if (reason !== undefined && typeof reason !== 'string') return malformed('"reason" must be a string');
  if (!allowed)
    return {
      allowed: false,
      cause: 'webhook-refused',
      reason: reason !== undefined && reason !== '' ? reason : 'refused by the control server',
    };
  if (newUrl !== undefined && (typeof newUrl !== 'string' || newUrl === ''))
    return malformed('"new_url" must be a non-empty string');
  if (lifetime !== undefined && (typeof lifetime !== 'number' || !Number.isFinite(lifetime) || lifetime < 0))
    return malformed('"lifetime" must be a number of milliseconds');
  return {
    allowed: true,
    newUrl,
    lifetimeMs: typeof lifetime === 'number' && lifetime > 0 ? lifetime : undefined,
    reason,
  };
}

/** The body as text, or undefined when it exceeds MAX_ANSWER_BYTES (the rest is not read). */
async function readCapped(response: Response): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const result = await reader.read();
    if (result.done) break;
    const value: Uint8Array = result.value;
    size += value.length;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** fetch's "fetch failed" with the cause that says why (ECONNREFUSED, ENOTFOUND, a TLS error). */
export function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return e.message;
}
