/**
 * Destinations with their secrets hidden until asked for: the RTMP stream key (given
 * apart or as the last path segment of the url), a password in the url's user info,
 * and SRT's `passphrase` and `streamid` query values (platforms put the key there).
 */

/** A destination as shown: masked by default, full on demand. */
export interface DestinationView {
  masked: string;
  full: string;
  /** False when there is nothing to hide (the "show" toggle is then left out). */
  hasSecret: boolean;
}

const BULLETS = '••••••••';

/** A secret as bullets: a fixed count (the length is not told), plus the last 4 characters of a long one. */
export function maskSecret(secret: string): string {
  if (secret === '') return '';
  return secret.length >= 12 ? `${BULLETS}${secret.slice(-4)}` : BULLETS;
}

const SECRET_QUERY_KEYS = new Set(['passphrase', 'streamid', 'key', 'token', 'secret', 'password']);

/** `scheme://user:pass@host` → `scheme://user:••••••••@host`. */
function maskUserInfo(url: string): { text: string; masked: boolean } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i.exec(url);
  if (m === null) return { text: url, masked: false };
  const [whole, scheme = '', userInfo = ''] = m;
  const colon = userInfo.indexOf(':');
  const masked =
    colon < 0 ? maskSecret(userInfo) : `${userInfo.slice(0, colon)}:${maskSecret(userInfo.slice(colon + 1))}`;
  return { text: `${scheme}${masked}@${url.slice(whole.length)}`, masked: true };
}

/** Masks the values of secret-looking query parameters. */
function maskQuery(url: string): { text: string; masked: boolean } {
  const q = url.indexOf('?');
  if (q < 0) return { text: url, masked: false };
  let masked = false;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0 || !SECRET_QUERY_KEYS.has(pair.slice(0, eq).toLowerCase()) || eq === pair.length - 1) return pair;
      masked = true;
      return `${pair.slice(0, eq)}=${maskSecret(decodeSafely(pair.slice(eq + 1)))}`;
    })
    .join('&');
  return { text: `${url.slice(0, q)}?${query}`, masked };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The RTMP url with its last path segment (the key, when none is given apart) masked. */
function maskRtmpPathKey(url: string): { text: string; masked: boolean } {
  const m = /^(rtmps?:\/\/[^/?#]+\/)([^#]*)$/i.exec(url);
  if (m === null) return { text: url, masked: false };
  const [, origin = '', path = ''] = m;
  const slash = path.lastIndexOf('/');
  if (slash <= 0 || slash === path.length - 1) return { text: url, masked: false };
  return { text: `${origin}${path.slice(0, slash + 1)}${maskSecret(path.slice(slash + 1))}`, masked: true };
}

/** How a push's destination is shown. */
export function destinationOf(record: { protocol: string; url: string; streamKey: string }): DestinationView {
  const protocol = record.protocol.toLowerCase();
  const key = record.streamKey;
  const full = protocol === 'rtmp' && key !== '' ? `${record.url}/${key}` : record.url;
  const user = maskUserInfo(record.url);
  let masked = user.text;
  let hasSecret = user.masked;
  if (protocol === 'rtmp') {
    if (key !== '') {
      masked = `${masked}/${maskSecret(key)}`;
      hasSecret = true;
    } else {
      const path = maskRtmpPathKey(masked);
      masked = path.text;
      hasSecret ||= path.masked;
    }
  } else {
    const query = maskQuery(masked);
    masked = query.text;
    hasSecret ||= query.masked;
    if (key !== '') {
      masked = `${masked} (key ${maskSecret(key)})`;
      hasSecret = true;
    }
  }
  return { masked, full: protocol !== 'rtmp' && key !== '' ? `${record.url} (key ${key})` : full, hasSecret };
}
