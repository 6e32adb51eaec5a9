/**
 * `srt://` URLs with ffmpeg's (libavformat/libsrt.c) and OvenMediaEngine's query names:
 * `srt://host:port?latency=120000&passphrase=...&pbkeylen=16&streamid=...&timeout=...
 * &pkt_size=1316&mode=caller`. Times are in MICROSECONDS as in ffmpeg (`latency`,
 * `timeout`, `peer_idle_timeout`), except `connect_timeout`, which ffmpeg takes in
 * milliseconds. The query is everything after the first `?` (a `#` is part of a value, as
 * in `streamid=#!::r=app/stream,m=publish`); values are percent-decoded (`+` stays `+`).
 * An unknown parameter is an error: a misspelt `passphrase` must not silently send in clear.
 */
import { SrtConnectionError } from './errors.js';
import { isValidKeyLength, isValidPassphrase } from './km.js';
import { MAX_PAYLOAD_SIZE } from './packet.js';

/** What an `srt://` URL says. Options absent from the URL are absent here (the library defaults apply). */
export interface SrtUrl {
  /** `caller` (default) connects to host:port; `listener` binds host:port (host may be empty: all interfaces). */
  mode: 'caller' | 'listener';
  host: string;
  port: number;
  /** `latency` (µs) as whole milliseconds. */
  latencyMs?: number;
  passphrase?: string;
  /** `pbkeylen` 16/24/32 (0 = the default, 16). */
  pbkeylen?: 16 | 24 | 32;
  /** `streamid` (or ffmpeg's `srt_streamid`), at most 512 bytes. */
  streamId?: string;
  /** `connect_timeout` (ms), or `timeout` (µs) when no connect_timeout is given. */
  connectTimeoutMs?: number;
  /** `peer_idle_timeout` (µs), or `timeout` (µs): the peer silent that long ends the connection. */
  peerIdleTimeoutMs?: number;
  /** `pkt_size` or `payload_size`: the largest payload in bytes. */
  payloadSize?: number;
  /** `maxbw` in bytes/s (-1 unlimited, 0 input rate + overhead). */
  maxBandwidth?: number;
  /** `oheadbw` in percent (5..100). */
  overheadPercent?: number;
}

/** The query parameters parseSrtUrl knows. */
export const SRT_URL_PARAMETERS = [
  'mode',
  'latency',
  'passphrase',
  'pbkeylen',
  'streamid',
  'srt_streamid',
  'timeout',
  'connect_timeout',
  'peer_idle_timeout',
  'pkt_size',
  'payload_size',
  'maxbw',
  'oheadbw',
] as const;

const KNOWN = new Set<string>(SRT_URL_PARAMETERS);
const MAX_LATENCY_US = 65535 * 1000;
const MAX_TIMEOUT_US = 3600 * 1_000_000;

function bad(message: string): SrtConnectionError {
  return new SrtConnectionError('url', `Invalid srt:// URL: ${message}`);
}

/** A whole number within [min, max], else an error naming the parameter and what it got. */
function integer(name: string, text: string, min: number, max: number, unit: string): number {
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw bad(`${name} must be a whole number${unit === '' ? '' : ` of ${unit}`} from ${min} to ${max}, got [${text}]`);
  }
  return n;
}

function decode(name: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw bad(`${name} has a malformed percent-encoding`);
  }
}

function splitAuthority(authority: string): { host: string; port: string } {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) throw bad('unclosed [ in the IPv6 host');
    const rest = authority.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw bad(`unexpected [${rest}] after the IPv6 host`);
    return { host: authority.slice(1, end), port: rest.slice(1) };
  }
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return { host: authority, port: '' };
  return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

/**
 * Parses an `srt://` URL. Throws SrtConnectionError (`code: 'url'`) whose message names the
 * parameter, the allowed values and what was given (never the passphrase itself).
 */
export function parseSrtUrl(url: string): SrtUrl {
  if (typeof url !== 'string') throw bad('the url must be a string');
  const text = url.trim();
  if (!/^srt:\/\//i.test(text)) throw bad('the scheme must be srt://');
  const q = text.indexOf('?');
  const beforeQuery = q < 0 ? text.slice(6) : text.slice(6, q);
  const query = q < 0 ? '' : text.slice(q + 1);
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const path = slash < 0 ? '' : beforeQuery.slice(slash);
  if (path !== '' && path !== '/') {
    throw bad(`a path [${path}] is not part of an SRT address (name the stream with ?streamid=)`);
  }
  if (authority.includes('@')) throw bad('user information (user@) is not part of an SRT address');
  const { host, port: portText } = splitAuthority(authority);
  if (portText === '') throw bad('a port 1..65535 is required');
  const port = integer('the port', portText, 1, 65535, '');

  const seen = new Map<string, string>();
  for (const pair of query === '' ? [] : query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    if (!KNOWN.has(name)) throw bad(`unknown parameter [${name}] (known: ${SRT_URL_PARAMETERS.join(', ')})`);
    if (seen.has(name)) throw bad(`parameter ${name} is given twice`);
    seen.set(name, eq < 0 ? '' : decode(name, pair.slice(eq + 1)));
  }
  const get = (name: string): string | undefined => seen.get(name);

  const modeText = get('mode') ?? 'caller';
  if (modeText !== 'caller' && modeText !== 'listener') {
    throw bad(`mode must be caller or listener, got [${modeText}]`);
  }
  const mode = modeText;
  if (mode === 'caller' && host === '') throw bad('a host is required (mode=caller)');
  const out: SrtUrl = { mode, host, port };

  const latency = get('latency');
  if (latency !== undefined) {
    out.latencyMs = Math.round(integer('latency', latency, 0, MAX_LATENCY_US, 'microseconds') / 1000);
  }
  const passphrase = get('passphrase');
  if (passphrase !== undefined && passphrase !== '') {
    if (!isValidPassphrase(passphrase)) {
      throw bad(`passphrase must be 10 to 79 characters, got ${passphrase.length}`);
    }
    out.passphrase = passphrase;
  }
  const pbkeylen = get('pbkeylen');
  if (pbkeylen !== undefined) {
    const n = /^\d+$/.test(pbkeylen) ? Number(pbkeylen) : NaN;
    if (n !== 0 && !isValidKeyLength(n)) throw bad(`pbkeylen must be 0, 16, 24 or 32, got [${pbkeylen}]`);
    if (isValidKeyLength(n)) out.pbkeylen = n;
  }
  if (get('streamid') !== undefined && get('srt_streamid') !== undefined) {
    throw bad('streamid and srt_streamid are the same parameter; give one');
  }
  const streamId = get('streamid') ?? get('srt_streamid');
  if (streamId !== undefined) {
    const bytes = Buffer.byteLength(streamId);
    if (bytes > 512) throw bad(`streamid must be at most 512 bytes, got ${bytes}`);
    out.streamId = streamId;
  }
  const timeout = get('timeout');
  const timeoutMs =
    timeout === undefined
      ? undefined
      : Math.ceil(integer('timeout', timeout, 1000, MAX_TIMEOUT_US, 'microseconds') / 1000);
  const connectTimeout = get('connect_timeout');
  const connectTimeoutMs =
    connectTimeout === undefined
      ? timeoutMs
      : integer('connect_timeout', connectTimeout, 1, MAX_TIMEOUT_US / 1000, 'milliseconds');
  if (connectTimeoutMs !== undefined) out.connectTimeoutMs = connectTimeoutMs;
  const idle = get('peer_idle_timeout');
  const idleMs =
    idle === undefined
      ? timeoutMs
      : Math.ceil(integer('peer_idle_timeout', idle, 1000, MAX_TIMEOUT_US, 'microseconds') / 1000);
  if (idleMs !== undefined) out.peerIdleTimeoutMs = idleMs;
  if (get('pkt_size') !== undefined && get('payload_size') !== undefined) {
    throw bad('pkt_size and payload_size are the same parameter; give one');
  }
  const sizeName = get('pkt_size') !== undefined ? 'pkt_size' : 'payload_size';
  const size = get(sizeName);
  if (size !== undefined) out.payloadSize = integer(sizeName, size, 188, MAX_PAYLOAD_SIZE, 'bytes');
  const maxbw = get('maxbw');
  if (maxbw !== undefined) out.maxBandwidth = integer('maxbw', maxbw, -1, Number.MAX_SAFE_INTEGER, 'bytes/s');
  const oheadbw = get('oheadbw');
  if (oheadbw !== undefined) out.overheadPercent = integer('oheadbw', oheadbw, 5, 100, 'percent');
  return out;
}

/** null when the URL parses, else the reason (for API validation). */
export function checkSrtUrl(url: string): string | null {
  try {
    parseSrtUrl(url);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
