/**
 * createNodeHandler: mounts a Fetch-standard handler in `node:http`, as a plain
 * request listener or as Express/Connect middleware, optionally under a path prefix
 * (e.g. `/media-api`) inside an existing server. The request body is streamed with
 * the size limit enforced while reading.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PROCESSOR, type ApiHandler, type ProcessorCarrier } from './api-handler.js';
import type { ApiRequestParts } from './api-request-processor.js';
import { errorResult, type ApiResult, type ResultStream } from './envelope.js';
import { ApiError, HttpApiConfigError } from './errors.js';
import { bodyLost, tooLarge } from './json-body.js';

/** Options of createNodeHandler. */
export interface NodeHandlerOptions {
  /** Path prefix the API lives under, e.g. `/media-api`; default none. */
  prefix?: string | undefined;
  /** A request body that sends nothing for this many ms is answered 408 and its connection closed (default 10000). */
  bodyTimeoutMs?: number | undefined;
}

/** Default idle limit while a request body arrives. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** A `node:http` request listener that is also Express/Connect middleware. */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** What Express/Connect add to a request: the mount path and a parsed body. */
interface MiddlewareRequest extends IncomingMessage {
  baseUrl?: string;
  body?: unknown;
}

/**
 * Adapts `handler` to `node:http`. Requests outside `prefix` go to `next()` when
 * there is one (middleware), else get 404 `Controller not found (404)`. Handlers
 * made by createApiHandler are driven without building Request/Response objects.
 */
export function createNodeHandler(handler: ApiHandler, options: NodeHandlerOptions = {}): NodeRequestHandler {
  const prefix = normalisePrefix(options.prefix);
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  if (!Number.isSafeInteger(bodyTimeoutMs) || bodyTimeoutMs < 1)
    throw new HttpApiConfigError('bodyTimeoutMs', `bodyTimeoutMs must be a positive integer, got ${bodyTimeoutMs}`);
  const processor = (handler as ProcessorCarrier)[API_PROCESSOR];
  return (req, res, next) => {
    const target = apiTarget(req, prefix);
    if (target === null) {
      if (next !== undefined) return next();
      return writeResult(res, errorResult(404, 'Controller not found'));
    }
    const run =
      processor !== undefined
        ? processor.process(nodeRequestParts(req, target, bodyTimeoutMs)).then((result) => writeResult(res, result))
        : viaFetch(handler, req, res, target);
    run.catch((error: unknown) => {
      if (next !== undefined && !res.headersSent) return next(error);
      if (!res.headersSent) writeResult(res, errorResult(500, 'Internal server error'));
      else res.destroy();
    });
  };
}

/** The request path+query relative to the prefix, or null when the request is not under it. */
function apiTarget(req: MiddlewareRequest, prefix: string): string | null {
  const url = req.url ?? '/';
  if (prefix === '') return url;
  if (
    url.startsWith(prefix) &&
    (url.length === prefix.length || url[prefix.length] === '/' || url[prefix.length] === '?')
  ) {
    const rest = url.slice(prefix.length);
    return rest.startsWith('/') ? rest : `/${rest}`;
  }
  // Express/Connect mounted us with app.use(prefix, ...): the prefix is already stripped
  if (typeof req.baseUrl === 'string' && req.baseUrl.endsWith(prefix)) return url;
  return null;
}

function normalisePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  if (!prefix.startsWith('/') || prefix.includes('?') || prefix.includes('#')) {
    throw new HttpApiConfigError('prefix', `prefix must be a path starting with '/', got [${prefix}]`);
  }
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** Request parts for the processor, reading the body straight from the socket. */
function nodeRequestParts(req: MiddlewareRequest, target: string, bodyTimeoutMs: number): ApiRequestParts {
  const question = target.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: question < 0 ? target : target.slice(0, question),
    query: question < 0 ? null : new URLSearchParams(target.slice(question + 1)),
    header: (name) => {
      const value = req.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    readBody: (limit) => readNodeBody(req, limit, bodyTimeoutMs),
    remote: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`,
    clientAddress: req.socket?.remoteAddress,
  };
}

/**
 * Reads the body of `req`, rejecting with 413 as soon as more than `limit` bytes arrived,
 * and with 408 when nothing arrives for `idleMs` (a slow client holding the request open).
 */
function readNodeBody(req: MiddlewareRequest, limit: number, idleMs = DEFAULT_BODY_TIMEOUT_MS): Promise<Uint8Array> {
  if (req.readableEnded) return Promise.resolve(alreadyParsedBody(req.body));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onIdle = (): void => {
      cleanup();
      reject(new ApiError(408, `Request body timeout: nothing received for ${idleMs} ms`, { connection: 'close' }));
    };
    const idle = setTimeout(onIdle, idleMs);
    const cleanup = (): void => {
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      idle.refresh();
      total += chunk.byteLength;
      if (total > limit) {
        cleanup();
        // keep discarding what still arrives while the 413 goes out (Connection: close): a
        // socket closed with unread data sends RST, which can destroy the answer at the client
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    // the client went away: nobody will read the answer, and it is not a server error
    const onError = (): void => {
      cleanup();
      reject(bodyLost());
    };
    const onClose = (): void => {
      cleanup();
      reject(bodyLost());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** A body a middleware (e.g. express.json()) already consumed: re-serialized as JSON. */
function alreadyParsedBody(body: unknown): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body) ?? '', 'utf8');
}

function writeResult(res: ServerResponse, result: ApiResult): void {
  res.statusCode = result.status;
  for (const name in result.headers) res.setHeader(name, result.headers[name] as string);
  if (result.stream !== undefined) return streamResult(res, result.stream);
  if (result.body === null) res.end();
  else res.end(result.body);
}

/** A body written over time: headers now, then text as it comes; `bufferedBytes` is what the kernel has not taken. */
function streamResult(res: ServerResponse, stream: ResultStream): void {
  res.flushHeaders();
  res.socket?.setTimeout(0);
  res.socket?.setNoDelay(true);
  stream.start({
    write: (text) => {
      if (!res.destroyed) res.write(text);
    },
    get bufferedBytes() {
      return res.writableLength; // the response's own queue plus its socket's
    },
    abort: () => {
      res.destroy();
    },
    onClose: (listener) => {
      res.once('close', listener);
    },
  });
}

/** Drives a foreign Fetch handler: builds a Request (streamed body) and writes its Response. */
async function viaFetch(handler: ApiHandler, req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  const host = req.headers.host ?? 'localhost';
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (hasBody) {
    init.body = nodeStream(req);
    init.duplex = 'half';
  }
  const response = await handler(new Request(`http://${host}${target}`, init));
  await writeResponse(res, response);
}

/** A web ReadableStream over a node request, pulling with back-pressure. */
function nodeStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => controller.close());
      req.on('error', (error) => controller.error(error));
    },
    pull() {
      req.resume();
    },
    cancel() {
      req.pause();
    },
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (response.body === null) {
    res.end();
    return;
  }
  // hold one chunk back so the last one goes out with end(): a one-chunk body is one write
  let pending: Uint8Array | undefined;
  for await (const value of response.body as AsyncIterable<Uint8Array>) {
    if (pending !== undefined && !res.write(pending)) await new Promise((resolve) => res.once('drain', resolve));
    pending = value;
  }
  res.end(pending);
}
