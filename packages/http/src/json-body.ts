/**
 * Reading a request body: the size limit enforced while the stream is read (413
 * as soon as it is passed, without reading the rest), strict UTF-8, JSON only
 * (a non-JSON Content-Type is 415 unless the body parses anyway).
 */
import { ApiError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Reads at most `limit` bytes of `stream`; throws ApiError(413) past it and cancels the stream. */
export async function readBodyBytes(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read().catch(() => {
        throw bodyLost();
      });
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The error for a body the client stopped sending (aborted, reset): answered 400 if anyone still listens. */
export function bodyLost(): ApiError {
  return new ApiError(400, 'Request body was not completely received');
}

/** The 413 error for a body over `limit` bytes. */
export function tooLarge(limit: number): ApiError {
  return new ApiError(413, `Request body is larger than the limit of ${limit} bytes`, { connection: 'close' });
}

/**
 * Parses a JSON body. Empty (or white-space only) → undefined (no body).
 * Throws ApiError: 415 when Content-Type is not JSON and the body does not parse,
 * 400 when it is not UTF-8 or not JSON.
 */
export function parseJsonBody(bytes: Uint8Array, contentType: string | null): unknown {
  const jsonType = contentType === null || isJsonContentType(contentType);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    if (!jsonType) throw unsupportedType(contentType);
    throw new ApiError(400, 'Request body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (!jsonType) throw unsupportedType(contentType);
    throw new ApiError(400, 'Request body is not valid JSON');
  }
}

/** True for application/json and any `+json` media type (parameters ignored). */
function isJsonContentType(contentType: string): boolean {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function unsupportedType(contentType: string | null): ApiError {
  return new ApiError(415, `Unsupported Content-Type [${clip(contentType ?? '')}]; use application/json`);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
