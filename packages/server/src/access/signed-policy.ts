/**
 * SignedPolicy (OvenMediaEngine's format, per VirtualHost): a publish URL must carry a
 * policy signed with the vhost's SecretKey. Missing, malformed, tampered, expired, not
 * yet active or from an address outside `allow_ip` = refused. `stream_expire` is handed
 * back so that the ingest ends the running publish at that time.
 */
import { parseCidr } from './cidr.js';
import type { Refusal } from './refusal.js';
import { hmacSha1Base64url, signatureMatches, splitSignedUrl, type UrlPolicy } from './url-signing.js';

/** `<SignedPolicy>` of a virtual host. */
export interface SignedPolicyConfig {
  /** `<PolicyQueryKeyName>` (default `policy`). */
  policyKey: string;
  /** `<SignatureQueryKeyName>` (default `signature`). */
  signatureKey: string;
  /** `<SecretKey>`. */
  secretKey: string;
  /** `<Enables><Providers>`: the ingest protocols it applies to (e.g. rtmp, srt); undefined (no `<Enables>`): every one. */
  providers?: readonly string[] | undefined;
}

/** A policy that passed: when the stream must end, if it must. */
export interface PolicyPass {
  ok: true;
  /** `stream_expire`, ms since the epoch. */
  streamExpireAt: number | undefined;
}

/** Checks the signed URL of a publish (`url` with its port, as the encoder was given it). */
export function checkSignedPolicy(
  config: SignedPolicyConfig,
  url: string,
  remoteAddress: string,
  now = Date.now(),
): PolicyPass | ({ ok: false } & Refusal) {
  const refuse = (cause: Refusal['cause'], reason: string): { ok: false } & Refusal => ({ ok: false, cause, reason });
  const split = splitSignedUrl(url, config.signatureKey);
  const encoded = split.params.get(config.policyKey);
  if (encoded === undefined || encoded === '')
    return refuse('policy-missing', `signed policy: the URL has no ${config.policyKey} parameter`);
  if (split.signature === undefined || split.signature === '')
    return refuse('policy-missing', `signed policy: the URL has no ${config.signatureKey} parameter`);
  if (!signatureMatches(split.signature, hmacSha1Base64url(config.secretKey, split.signedText)))
    return refuse('policy-signature', 'signed policy: the signature does not match the URL');
  const policy = decodePolicy(encoded);
  if (typeof policy === 'string') return refuse('policy-malformed', `signed policy: ${policy}`);
  if (policy.url_activate !== undefined && now < policy.url_activate)
    return refuse('policy-not-active', `signed policy: the URL is not valid before ${iso(policy.url_activate)}`);
  if (now >= policy.url_expire)
    return refuse('policy-expired', `signed policy: the URL expired at ${iso(policy.url_expire)}`);
  if (policy.stream_expire !== undefined && now >= policy.stream_expire)
    return refuse('policy-expired', `signed policy: the stream expired at ${iso(policy.stream_expire)}`);
  if (policy.allow_ip !== undefined) {
    const range = parseCidr(policy.allow_ip);
    if (range === undefined)
      return refuse('policy-malformed', `signed policy: allow_ip "${policy.allow_ip}" is not a CIDR`);
    if (!range.contains(remoteAddress))
      return refuse('policy-ip', `signed policy: address ${remoteAddress} is not in allow_ip ${policy.allow_ip}`);
  }
  return { ok: true, streamExpireAt: policy.stream_expire };
}

/** The policy of a URL, or what is wrong with it. */
function decodePolicy(encoded: string): UrlPolicy | string {
  let value: unknown;
  try {
    const text = Buffer.from(decodeURIComponent(encoded), 'base64url').toString('utf8');
    value = JSON.parse(text);
  } catch {
    return 'the policy is not base64url-encoded JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the policy is not a JSON object';
  const fields = value as Record<string, unknown>;
  const time = (key: string, required: boolean): number | undefined | string => {
    const v = fields[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${key} must be a time in ms since the epoch`;
    return v;
  };
  const urlExpire = time('url_expire', true);
  const urlActivate = time('url_activate', false);
  const streamExpire = time('stream_expire', false);
  for (const t of [urlExpire, urlActivate, streamExpire]) if (typeof t === 'string') return t;
  const allowIp = fields['allow_ip'];
  if (allowIp !== undefined && typeof allowIp !== 'string') return 'allow_ip must be a CIDR string';
  return {
    url_expire: urlExpire as number,
    ...(urlActivate !== undefined ? { url_activate: urlActivate as number } : {}),
    ...(streamExpire !== undefined ? { stream_expire: streamExpire as number } : {}),
    ...(allowIp !== undefined ? { allow_ip: allowIp } : {}),
  };
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
