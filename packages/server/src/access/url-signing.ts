/**
 * OvenMediaEngine's SignedPolicy URLs: `scheme://host:port/app/stream?policy=P&signature=S`
 * where P = base64url(policy JSON) and S = base64url(HMAC-SHA1(SecretKey, the URL without
 * its signature parameter)). The URL must carry its port (`:1935` too), as OME signs it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The policy inside a signed URL (times in ms since the Unix epoch). */
export interface UrlPolicy {
  url_expire: number;
  url_activate?: number;
  stream_expire?: number;
  allow_ip?: string;
}

/** What `signUrl` needs. */
export interface SignUrlOptions {
  secretKey: string;
  /** `scheme://host[:port]/app/stream[?query]`; rtmp and rtmps get their default port when absent. */
  url: string;
  policy: UrlPolicy;
  /** Query key of the policy (default `policy`). */
  policyKey?: string;
  /** Query key of the signature (default `signature`). */
  signatureKey?: string;
}

const DEFAULT_PORTS: Record<string, number> = { rtmp: 1935, rtmps: 443 };

/** base64url without padding. */
export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** base64url(HMAC-SHA1(key, text)): the X-OME-Signature and SignedPolicy signature. */
export function hmacSha1Base64url(key: string, text: string | Buffer): string {
  return createHmac('sha1', key).update(text).digest('base64url');
}

/** Constant-time comparison of a received base64url signature with the expected one (padding ignored). */
export function signatureMatches(received: string, expected: string): boolean {
  const a = Buffer.from(received.replace(/=+$/, ''));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The URL with an explicit port (rtmp → 1935, rtmps → 443); throws for a URL without scheme/host or port. */
export function withExplicitPort(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/?#:]*)(:\d+)?(.*)$/i.exec(url);
  if (m === null || m[2] === '') throw new Error(`not a URL with a host: ${url}`);
  if (m[3] !== undefined) return url;
  const port = DEFAULT_PORTS[(m[1] ?? '').toLowerCase()];
  if (port === undefined) throw new Error(`the URL needs a port (${url})`);
  return `${m[1]}://${m[2]}:${port}${m[4] ?? ''}`;
}

/** Makes a signed URL. */
export function signUrl(options: SignUrlOptions): string {
  const policyKey = options.policyKey ?? 'policy';
  const signatureKey = options.signatureKey ?? 'signature';
  const url = withExplicitPort(options.url);
  const policy = base64url(JSON.stringify(options.policy));
  const unsigned = `${url}${url.includes('?') ? '&' : '?'}${policyKey}=${policy}`;
  return `${unsigned}&${signatureKey}=${hmacSha1Base64url(options.secretKey, unsigned)}`;
}

/** A URL split for checking: the text that was signed and the raw values of the query keys. */
export interface SplitSignedUrl {
  /** The URL without the signature parameter (what the signer fed to HMAC). */
  signedText: string;
  /** Raw value of every query parameter (first occurrence wins). */
  params: Map<string, string>;
  /** Raw value of the signature parameter, undefined when absent. */
  signature: string | undefined;
}

/** Splits `url` around its `signatureKey` parameter (the other parameters keep their order and spelling). */
export function splitSignedUrl(url: string, signatureKey: string): SplitSignedUrl {
  const q = url.indexOf('?');
  const params = new Map<string, string>();
  if (q < 0) return { signedText: url, params, signature: undefined };
  let signature: string | undefined;
  const kept: string[] = [];
  for (const part of url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    const value = eq >= 0 ? part.slice(eq + 1) : '';
    if (key === signatureKey) {
      signature ??= value;
      continue;
    }
    if (!params.has(key)) params.set(key, value);
    kept.push(part);
  }
  const base = url.slice(0, q);
  return { signedText: kept.length > 0 ? `${base}?${kept.join('&')}` : base, params, signature };
}
