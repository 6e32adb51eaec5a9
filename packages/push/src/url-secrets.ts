/**
 * The secret parts of a destination URL, hidden before a URL is echoed (error messages,
 * logs): secret-looking query values (`passphrase`, `key`, `token`, `signature`, `policy`,
 * ...), user:password@ and the stream-key segment of RTMP/SRT URLs
 * (`rtmp://host/app/KEY`).
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]';

const SECRET_QUERY =
  /([?&;](?:token|access_token|accesstoken|key|streamkey|stream_key|signature|policy|passphrase|password|secret|auth)=)[^&\s"'#]*/gi;
const USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"']+@/gi;
const KEY_SEGMENT = /(\b(?:rtmps?|rtmpt|srt):\/\/[^/\s"']+\/[^/\s"'?]+\/)[^\s"'?&]+/gi;

/** `text` with the secret parts of every URL in it replaced by `[redacted]`. */
export function redactUrlSecrets(text: string): string {
  return text
    .replace(SECRET_QUERY, `$1${REDACTED}`)
    .replace(USER_INFO, `$1${REDACTED}@`)
    .replace(KEY_SEGMENT, `$1${REDACTED}`);
}
