/**
 * RTMP publish targets: `rtmp://host[:port]/app[/inst]` or `rtmps://...` plus a stream
 * key (publish name, passed through as given, `?query` included). With an empty key
 * the last path segment of the url is the publish name.
 */

/** Where and what to publish. */
export interface RtmpEndpoint {
  secure: boolean;
  /** Host name or IP (IPv6 without brackets). */
  host: string;
  port: number;
  /** Application: the url path (without the publish name when the key was in the url). */
  app: string;
  /** tcUrl sent in connect: scheme://authority/app. */
  tcUrl: string;
  /** Publish name (stream key), query string included. */
  streamName: string;
}

const URL_PATTERN = /^(rtmps?):\/\/([^/?#]+)(\/[^#]*)?$/i;

/** Parses a url and stream key; throws RangeError with the reason when they cannot be published to. */
export function parseRtmpUrl(url: string, streamKey = ''): RtmpEndpoint {
  const trimmed = url.trim().replace(/\/+$/, '');
  const m = URL_PATTERN.exec(trimmed);
  if (m === null)
    throw new RangeError(`Invalid RTMP URL [${url}]: expected rtmp://host[:port]/app or rtmps://host[:port]/app`);
  const scheme = (m[1] ?? '').toLowerCase();
  const secure = scheme === 'rtmps';
  const authority = m[2] ?? '';
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw new RangeError(`Invalid RTMP URL [${url}]: unterminated IPv6 address`);
    host = authority.slice(1, close);
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new RangeError(`Invalid RTMP URL [${url}]: bad authority`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon >= 0 ? authority.slice(0, colon) : authority;
    portText = colon >= 0 ? authority.slice(colon + 1) : undefined;
  }
  if (host === '' || host.includes('@')) throw new RangeError(`Invalid RTMP URL [${url}]: missing or unsupported host`);
  const port = portText === undefined ? (secure ? 443 : 1935) : Number(portText);
  if (!/^\d{1,5}$/.test(portText ?? '0') || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`Invalid RTMP URL [${url}]: bad port`);
  const path = (m[3] ?? '').replace(/^\/+/, '');
  const key = streamKey.trim();
  let app = path;
  let streamName = key;
  if (key === '') {
    const slash = path.lastIndexOf('/');
    if (slash <= 0)
      throw new RangeError(
        `Invalid RTMP URL [${url}]: no stream key (give one, or put it as the last path segment after the app)`,
      );
    app = path.slice(0, slash);
    streamName = path.slice(slash + 1);
  }
  if (app === '') throw new RangeError(`Invalid RTMP URL [${url}]: no application in the path`);
  return { secure, host, port, app, tcUrl: `${scheme}://${authority}/${app}`, streamName };
}

/**
 * Null when `url` can be published to with `streamKey`, else the reason. Without a key
 * argument a key is assumed to come separately; pass '' to require it in the url path.
 */
export function checkRtmpUrl(url: string, streamKey = 'key'): string | null {
  try {
    parseRtmpUrl(url, streamKey);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
