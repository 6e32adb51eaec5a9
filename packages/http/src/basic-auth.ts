/**
 * `Authorization: Basic base64(AccessToken)` checking, as the contract asks: the
 * scheme word is case-insensitive, each failure says what went wrong, and the token
 * is compared in constant time (SHA-256 digests of equal length, timingSafeEqual).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

// RFC 4648 base64 alphabet with optional padding; length checked separately.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks Basic credentials against one access token. */
export class BasicTokenAuth {
  private readonly tokenDigest: Buffer;
  private readonly challenge: Readonly<Record<string, string>>;

  /** `token` must be non-empty (the caller validates); `realm` is quoted into WWW-Authenticate. */
  constructor(token: string, realm: string) {
    this.tokenDigest = sha256(token);
    this.challenge = { 'www-authenticate': `Basic realm="${realm}"` };
  }

  /** Throws ApiError(401) naming the failure unless `header` carries the right token. */
  check(header: string | null): void {
    if (header === null || header.trim() === '') this.fail('Authorization header is missing');
    const value = header.trim();
    const space = value.search(/\s/);
    const scheme = space < 0 ? value : value.slice(0, space);
    if (scheme.toLowerCase() !== 'basic') this.fail(`Unsupported authorization scheme [${clip(scheme)}]; use Basic`);
    const credentials = space < 0 ? '' : value.slice(space).trim();
    if (credentials === '') this.fail('Malformed Authorization header: no credentials after Basic');
    const presented = decodeBase64Utf8(credentials);
    if (presented === null) this.fail('Authorization credentials are not valid base64');
    if (!timingSafeEqual(sha256(presented), this.tokenDigest)) this.fail('Invalid access token');
  }

  /** Throws ApiError(401) unless `token` is the access token itself (`?token=` of the event stream). */
  checkToken(token: string): void {
    if (token === '') this.fail('Access token is missing');
    if (!timingSafeEqual(sha256(token), this.tokenDigest)) this.fail('Invalid access token');
  }

  private fail(message: string): never {
    throw new ApiError(401, message, this.challenge);
  }
}

/** Decodes strict base64 (padding optional) into UTF-8 text; null when it is not base64 or not UTF-8. */
function decodeBase64Utf8(text: string): string | null {
  if (!BASE64.test(text) || text.length % 4 === 1) return null;
  const padded = text.length % 4 === 0 ? text : text + '='.repeat(4 - (text.length % 4));
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Echoes at most 32 characters of what the client sent. */
function clip(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
