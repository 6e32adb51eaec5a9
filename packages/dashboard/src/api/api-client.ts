/**
 * ApiClient: the REST calls the dashboard makes, each with the token's Basic header
 * and `credentials: 'omit'` (no cookies, and no browser login prompt on a 401). Errors
 * carry the API's own words: the `message` of the error envelope.
 */
import type { ApiEnvelope, PushRecord, StartPushBody, StreamDetail } from './api-types.js';
import { basicAuthorization } from './basic-token.js';

/** A non-2xx answer (or no answer): `message` is the API's, e.g. `Invalid access token (401)`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The fetch function the client uses (injectable for tests). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Percent-encodes one path segment. */
const seg = encodeURIComponent;

/** Calls the REST API of one server. */
export class ApiClient {
  private readonly authorization: string;

  constructor(
    token: string,
    /** Origin + path prefix of the API, '' for the page's own origin. */
    private readonly base = '',
    private readonly fetchImpl: FetchFunction = (input, init) => fetch(input, init),
  ) {
    this.authorization = basicAuthorization(token);
  }

  /** The Authorization header value (for the event stream). */
  get authorizationHeader(): string {
    return this.authorization;
  }

  /** Names of the virtual hosts (also how a token is checked). */
  vhosts(): Promise<string[]> {
    return this.get<string[]>('/v1/vhosts').then((r) => r ?? []);
  }

  apps(vhost: string): Promise<string[]> {
    return this.get<string[]>(`/v1/vhosts/${seg(vhost)}/apps`).then((r) => r ?? []);
  }

  streams(vhost: string, app: string): Promise<string[]> {
    return this.get<string[]>(`/v1/vhosts/${seg(vhost)}/apps/${seg(app)}/streams`).then((r) => r ?? []);
  }

  stream(vhost: string, app: string, name: string): Promise<StreamDetail | undefined> {
    return this.get<StreamDetail>(`/v1/vhosts/${seg(vhost)}/apps/${seg(app)}/streams/${seg(name)}`);
  }

  /** The pushes of an application (204 = none). */
  pushes(vhost: string, app: string): Promise<PushRecord[]> {
    return this.get<PushRecord[]>(`/v1/vhosts/${seg(vhost)}/apps/${seg(app)}:pushes`).then((r) => r ?? []);
  }

  /** Starts a push; resolves with the new record. */
  async startPush(vhost: string, app: string, body: StartPushBody): Promise<PushRecord> {
    const records = await this.call<PushRecord[]>('POST', `/v1/vhosts/${seg(vhost)}/apps/${seg(app)}:startPush`, body);
    return firstRecord(records);
  }

  /** Stops a push; resolves with its record at that moment (`stopping` or `stopped`). */
  async stopPush(vhost: string, app: string, id: string): Promise<PushRecord> {
    const records = await this.call<PushRecord[]>('POST', `/v1/vhosts/${seg(vhost)}/apps/${seg(app)}:stopPush`, {
      id,
    });
    return firstRecord(records);
  }

  private get<T>(path: string): Promise<T | undefined> {
    return this.call<T>('GET', path);
  }

  /** One call: the envelope's `response` (undefined for 204), or ApiError with the envelope's message. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | undefined> {
    const headers: Record<string, string> = { authorization: this.authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(this.base + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(
        0,
        `The server could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (response.status === 204) return undefined;
    const text = await response.text();
    const envelope = parseEnvelope<T>(text);
    if (!response.ok) throw new ApiError(response.status, envelope?.message ?? `HTTP ${response.status}`);
    if (envelope === undefined) throw new ApiError(response.status, `Unreadable answer from the server (not JSON)`);
    return envelope.response;
  }
}

function parseEnvelope<T>(text: string): ApiEnvelope<T> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string')
      return value as ApiEnvelope<T>;
  } catch {
    // not JSON: the caller words the error
  }
  return undefined;
}

function firstRecord(records: PushRecord[] | undefined): PushRecord {
  const record = records?.[0];
  if (record === undefined) throw new ApiError(200, 'The server answered without a push record');
  return record;
}
