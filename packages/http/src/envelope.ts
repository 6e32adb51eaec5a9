/**
 * The response envelope of the contract: compact JSON
 * `{"statusCode":N,"message":"...","response":...}` with
 * `Content-Type: application/json;charset=UTF-8`; `response` omitted when there is
 * nothing to return; error messages end with ` (N)`; 204 has no body.
 */

/** Content-Type of every JSON response. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** A response before it becomes a Fetch `Response` (or is written to a node socket). */
export interface ApiResult {
  status: number;
  headers: Record<string, string>;
  /** Serialized JSON, or null for a body-less response (204). */
  body: string | null;
  /** A body written over time (`/v1/events`); `body` is null then. */
  stream?: ResultStream | undefined;
}

/** Where a streamed body goes: the node response, or a web ReadableStream. */
export interface StreamOutput {
  /** Queues text; never blocks. */
  write(text: string): void;
  /** Bytes queued and not yet taken by the kernel (or the reader). */
  readonly bufferedBytes: number;
  /** Cuts the connection without flushing what is queued (a reader that is too slow). */
  abort(): void;
  /** Called once when the reader goes away or abort() ran. */
  onClose(listener: () => void): void;
}

/** A body produced over time: started once the status and headers are out. */
export interface ResultStream {
  start(output: StreamOutput): void;
}

const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
};

/** A success envelope; `response` undefined leaves the field out. */
export function successResult(status: number, response?: unknown): ApiResult {
  const message = REASON_PHRASES[status] ?? 'OK';
  // key order as in the contract: statusCode, message, response
  const envelope = response === undefined ? { statusCode: status, message } : { statusCode: status, message, response };
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(envelope) };
}

/** An error envelope; ` (N)` is appended to the message. */
export function errorResult(status: number, message: string, headers?: Readonly<Record<string, string>>): ApiResult {
  const body = JSON.stringify({ statusCode: status, message: `${message} (${status})` });
  return { status, headers: { ...headers, 'content-type': JSON_CONTENT_TYPE }, body };
}

/** A body-less 204. */
export function noContentResult(headers?: Readonly<Record<string, string>>): ApiResult {
  return { status: 204, headers: { ...headers }, body: null };
}
