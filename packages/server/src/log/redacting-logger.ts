/**
 * Secrets never reach the log: the server's logger is wrapped so that every message
 * and field value is cleaned before it is written. Cleaned are the known secrets (the
 * access token, its Basic form, every push's stream key), `Authorization` values,
 * secret-looking query parameters (`?token=`, `key`, `signature`, `policy`,
 * `passphrase`, ...), user:password@ in URLs and the stream-key segment of RTMP/SRT
 * push URLs (`rtmp://host/app/KEY`); fields named like secrets are dropped to a marker.
 */
import { REDACTED, redactUrlSecrets } from '@sluice/push';
import { loggerOf, type LogFields, type Logger, type LogLevel } from './logger.js';

/** What replaces a secret. */
export { REDACTED };

/** Secrets shorter than this are not searched for in text (they would mangle ordinary words). */
const MIN_SECRET_LENGTH = 4;

const SECRET_FIELD =
  /^(?:streamkey|stream_key|authorization|token|accesstoken|access_token|password|passphrase|secret|secretkey|signature|policy)$/i;
const AUTHORIZATION = /\b(authorization)(["']?\s*[:=]\s*["']?)(?:(?:basic|bearer|digest)\s+)?[^\s"',;}]+/gi;

/** The secrets a redacting logger knows (add to it as pushes are created). */
export class SecretSet {
  private readonly values = new Set<string>();

  /** Adds a secret (ignored when shorter than 4 characters); for a token also its Basic base64 form. */
  add(secret: string | undefined, options: { basic?: boolean } = {}): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
    this.values.add(secret);
    if (options.basic === true) this.values.add(Buffer.from(secret, 'utf8').toString('base64'));
  }

  /** Removes every known secret from `text`, longest first (a secret inside another is still caught). */
  scrub(text: string): string {
    if (this.values.size === 0) return text;
    let out = text;
    for (const secret of [...this.values].sort((a, b) => b.length - a.length))
      if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  }
}

/** Cleans one text: known secrets, then the secret-shaped parts. */
export function redactText(text: string, secrets?: SecretSet): string {
  const known = secrets === undefined ? text : secrets.scrub(text);
  return redactUrlSecrets(known.replace(AUTHORIZATION, `$1$2${REDACTED}`));
}

/** Wraps `inner` so that nothing secret is written. */
export function redactingLogger(inner: Logger, secrets: SecretSet): Logger {
  const clean = (fields: LogFields | undefined): LogFields | undefined => {
    if (fields === undefined) return undefined;
    const out: LogFields = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if (SECRET_FIELD.test(key)) out[key] = REDACTED;
      else out[key] = typeof value === 'string' ? redactText(value, secrets) : value;
    }
    return out;
  };
  const log = (level: LogLevel, msg: string, fields?: LogFields): void =>
    inner.log(level, redactText(msg, secrets), clean(fields));
  return loggerOf(log);
}
