/**
 * `X-Sluice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(SecretKey, "<t>.<body>")>`.
 * The timestamp is that of the attempt (a retry is signed anew), so a receiver can refuse
 * a replayed request: it recomputes v1 over the raw body and refuses a `t` outside its
 * window (5 minutes is usual). Several `v1=` may appear (key rotation); one must match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header's name (lower case, as node:http gives it). */
export const SIGNATURE_HEADER = 'x-sluice-signature';

/** The default replay window of verifySignature, in seconds. */
export const DEFAULT_REPLAY_WINDOW_S = 300;

/** The hex HMAC-SHA256 of `"<t>.<body>"`. */
export function signatureV1(secretKey: string, timestamp: number, body: string): string {
  return createHmac('sha256', secretKey).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for a body sent at `nowMs`. */
export function signatureHeader(secretKey: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${signatureV1(secretKey, t, body)}`;
}

/** Why a signature was not accepted, or null when it was. */
export type SignatureProblem = 'malformed' | 'too-old' | 'in-the-future' | 'mismatch';

/** Checks a header against the raw body (what a receiver does). */
export function verifySignature(
  secretKey: string,
  header: string | undefined,
  body: string,
  nowMs: number,
  windowSeconds = DEFAULT_REPLAY_WINDOW_S,
): SignatureProblem | null {
  if (header === undefined) return 'malformed';
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === undefined || candidates.length === 0) return 'malformed';
  const age = nowMs / 1000 - t;
  if (age > windowSeconds) return 'too-old';
  if (age < -windowSeconds) return 'in-the-future';
  const expected = Buffer.from(signatureV1(secretKey, t, body), 'hex');
  return candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected)) ? null : 'mismatch';
}
